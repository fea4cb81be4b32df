/**
 * Ollama's HTTP API shapes (docs/api.md of ollama/ollama) for the mesh API: request bodies
 * validated with zod and turned into a ChatRequest, ChatChunks turned into Ollama's NDJSON
 * objects, and the model list in `/api/tags` form. Pure: no I/O.
 */
import { z } from "zod";
import type { ChatChunk, ChatRequest, ChatTurn, ToolCall, ToolSpec } from "../chat.ts";
import type { MeshModel } from "../mesh_model.ts";

const Think = z.union([z.boolean(), z.enum(["low", "medium", "high"])]);
const KeepAlive = z.union([z.string(), z.number()]);
const Format = z.union([z.string(), z.record(z.string(), z.unknown())]);
const Options = z.record(z.string(), z.unknown());
/** A tool offered in `tools` (the same shape in Ollama's and OpenAI's APIs). */
export const ToolSpecSchema = z.looseObject({
  type: z.literal("function").nullish().transform(() => "function" as const),
  function: z.looseObject({
    name: z.string().min(1).max(256),
    description: z.string().max(16_384).nullish(),
    parameters: z.record(z.string(), z.unknown()).nullish(),
  }),
});
export const Tools = z.array(ToolSpecSchema).max(512).nullish();

/** Tools as the mesh carries them. */
export function toolSpecs(tools: z.infer<typeof Tools>): ToolSpec[] | undefined {
  if (!tools?.length) return undefined;
  return tools.map((t) => ({
    type: "function",
    function: {
      name: t.function.name,
      ...(t.function.description ? { description: t.function.description } : {}),
      ...(t.function.parameters ? { parameters: t.function.parameters } : {}),
    },
  }));
}

const OllamaToolCall = z.looseObject({
  id: z.string().max(256).nullish(),
  function: z.looseObject({
    index: z.number().int().nullish(),
    name: z.string().min(1).max(256),
    arguments: z.record(z.string(), z.unknown()).nullish(),
  }),
});

export const OllamaMessage = z.looseObject({
  role: z.enum(["system", "user", "assistant", "tool"]),
  content: z.string().nullish().transform((v) => v ?? ""),
  images: z.array(z.string()).nullish(),
  tool_calls: z.array(OllamaToolCall).max(256).nullish(),
  tool_name: z.string().max(256).nullish(),
});

export const OllamaChatBody = z.looseObject({
  /** Empty lets the mesh choose a model. */
  model: z.string().max(256).nullish().transform((v) => v ?? ""),
  messages: z.array(OllamaMessage).max(10_000).nullish().transform((v) => v ?? []),
  stream: z.boolean().nullish(),
  format: Format.nullish(),
  options: Options.nullish(),
  keep_alive: KeepAlive.nullish(),
  think: Think.nullish(),
  tools: Tools,
});
export type OllamaChatBody = z.infer<typeof OllamaChatBody>;

export const OllamaGenerateBody = z.looseObject({
  model: z.string().max(256).nullish().transform((v) => v ?? ""),
  prompt: z.string().nullish().transform((v) => v ?? ""),
  system: z.string().nullish(),
  images: z.array(z.string()).nullish(),
  stream: z.boolean().nullish(),
  format: Format.nullish(),
  options: Options.nullish(),
  keep_alive: KeepAlive.nullish(),
  think: Think.nullish(),
  raw: z.boolean().nullish(),
  /** Fill-in-the-middle: the text after the gap (the host answers with the middle). */
  suffix: z.string().nullish(),
  context: z.array(z.number()).max(
    0,
    "context is not supported through the mesh: send messages to /api/chat",
  )
    .nullish(),
});
export type OllamaGenerateBody = z.infer<typeof OllamaGenerateBody>;

export const OllamaShowBody = z.looseObject({
  model: z.string().nullish(),
  name: z.string().nullish(),
});

/** Mesh routing hints a caller may add as headers. */
export interface RoutingHints {
  conversationId?: string;
  preferredHost?: string;
}

const common = (body: {
  format?: unknown;
  options?: Record<string, unknown> | null;
  keep_alive?: string | number | null;
  think?: ChatRequest["think"] | null;
}, hints: RoutingHints): Omit<ChatRequest, "messages" | "model"> => ({
  options: body.options ?? undefined,
  format: body.format ?? undefined,
  keepAlive: body.keep_alive ?? undefined,
  think: body.think ?? undefined,
  conversationId: hints.conversationId,
  preferredHost: hints.preferredHost,
});

export function chatRequestFromOllama(body: OllamaChatBody, hints: RoutingHints = {}): ChatRequest {
  const messages: ChatTurn[] = body.messages.map((m) => ({
    role: m.role,
    content: m.content,
    ...(m.images?.length ? { images: m.images } : {}),
    ...(m.tool_calls?.length
      ? {
        toolCalls: m.tool_calls.map((c): ToolCall => ({
          ...(c.id ? { id: c.id } : {}),
          name: c.function.name,
          arguments: c.function.arguments ?? {},
        })),
      }
      : {}),
    ...(m.tool_name ? { toolName: m.tool_name } : {}),
  }));
  const tools = toolSpecs(body.tools);
  return { model: body.model, messages, ...(tools ? { tools } : {}), ...common(body, hints) };
}

/**
 * `/api/generate` as a chat: the system prompt then the prompt as the user's turn. With a
 * `suffix` (fill-in-the-middle) or `raw`, the host answers with its `/api/generate`.
 */
export function chatRequestFromGenerate(
  body: OllamaGenerateBody,
  hints: RoutingHints = {},
): ChatRequest {
  const messages: ChatTurn[] = [];
  if (body.system) messages.push({ role: "system", content: body.system });
  messages.push({
    role: "user",
    content: body.prompt,
    ...(body.images?.length ? { images: body.images } : {}),
  });
  return {
    model: body.model,
    messages,
    ...(body.suffix ? { suffix: body.suffix } : {}),
    ...(body.raw ? { raw: true } : {}),
    ...common(body, hints),
  };
}

/** Who answered, for the final object's `neuromesh` field. */
export interface MeshTrailer {
  hosts: { nodeId: string; name: string; model: string }[];
  failedOver: boolean;
  /** Each host the answer left, and why (`stalled`, `died`, `error`, `busy`). */
  failovers?: { nodeId: string; name: string; reason: string }[];
}

type Stats = ChatChunk["stats"];

function statsFields(stats: Stats, totalNs: number) {
  return {
    total_duration: totalNs,
    load_duration: stats?.loadDurationNs ?? 0,
    prompt_eval_count: stats?.promptEvalCount ?? 0,
    prompt_eval_duration: stats?.promptEvalDurationNs ?? 0,
    eval_count: stats?.evalCount ?? 0,
    eval_duration: stats?.evalDurationNs ?? 0,
  };
}

export type OllamaEndpoint = "chat" | "generate";

/** Calls in Ollama's `message.tool_calls` shape; `first` numbers them within the answer. */
export function ollamaToolCalls(calls: readonly ToolCall[], first = 0) {
  return calls.map((call, i) => ({
    ...(call.id ? { id: call.id } : {}),
    function: { index: first + i, name: call.name, arguments: call.arguments },
  }));
}

/** Where the text goes: `message` for `/api/chat`, `response` for `/api/generate`. */
function textFields(
  endpoint: OllamaEndpoint,
  content: string,
  thinking: string | undefined,
  toolCalls: ReturnType<typeof ollamaToolCalls> = [],
) {
  const think = thinking ? { thinking } : {};
  const calls = toolCalls.length ? { tool_calls: toolCalls } : {};
  return endpoint === "chat"
    ? { message: { role: "assistant", content, ...think, ...calls } }
    : { response: content, ...think };
}

/** One stream object (`done: false`) of `/api/chat` or `/api/generate`; `callIndex`: calls before it. */
export function ollamaPart(
  endpoint: OllamaEndpoint,
  chunk: ChatChunk,
  createdAt: string,
  callIndex = 0,
) {
  return {
    model: chunk.servedBy.model,
    created_at: createdAt,
    ...textFields(
      endpoint,
      chunk.content,
      chunk.thinking,
      ollamaToolCalls(chunk.toolCalls ?? [], callIndex),
    ),
    done: false,
  };
}

/** The final object; `text` carries the whole answer when not streaming, else the last piece. */
export function ollamaDone(
  endpoint: OllamaEndpoint,
  last: ChatChunk,
  text: { content: string; thinking: string; toolCalls?: ToolCall[] },
  createdAt: string,
  totalNs: number,
  trailer: MeshTrailer,
) {
  return {
    model: last.servedBy.model,
    created_at: createdAt,
    ...textFields(
      endpoint,
      text.content,
      text.thinking || undefined,
      ollamaToolCalls(text.toolCalls ?? []),
    ),
    done_reason: last.doneReason ?? "stop",
    done: true,
    // Ollama's last /api/generate object carries the token context, which clients such as the
    // AI SDK's Ollama provider require; the mesh keeps none, so it is empty (and accepted back).
    ...(endpoint === "generate" ? { context: [] as number[] } : {}),
    ...statsFields(last.stats, totalNs),
    neuromesh: trailer,
  };
}

function details(model: MeshModel) {
  return {
    parent_model: "",
    format: "gguf",
    family: model.family ?? "",
    families: model.family ? [model.family] : null,
    parameter_size: model.parameterSize ?? "",
    quantization_level: model.quantization ?? "",
  };
}

const hostsOf = (model: MeshModel) =>
  model.hosts.map((h) => ({ id: h.nodeId, name: h.name, local: h.local }));

/** An `/api/tags` entry, plus `hosts`: the nodes that offer the model. */
export function ollamaTagsEntry(model: MeshModel) {
  return {
    name: model.name,
    model: model.name,
    modified_at: model.modifiedAt ?? new Date(0).toISOString(),
    size: model.size,
    digest: model.digest ?? "",
    details: details(model),
    hosts: hostsOf(model),
  };
}

/** An `/api/ps` entry for a model generating somewhere on the mesh right now. */
export function ollamaPsEntry(model: MeshModel, expiresAt: string) {
  return {
    name: model.name,
    model: model.name,
    size: model.size,
    digest: model.digest ?? "",
    details: details(model),
    expires_at: expiresAt,
    size_vram: 0,
    hosts: hostsOf(model).filter((_, i) => model.hosts[i].inFlight > 0),
  };
}

/** A minimal `/api/show` answer (what clients read before chatting). */
export function ollamaShow(model: MeshModel) {
  return {
    license: "",
    modelfile: "",
    parameters: "",
    template: "",
    details: details(model),
    model_info: {},
    capabilities: ["completion"],
    modified_at: model.modifiedAt ?? new Date(0).toISOString(),
    hosts: hostsOf(model),
  };
}
