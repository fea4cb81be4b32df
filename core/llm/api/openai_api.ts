/**
 * OpenAI's chat completions API shapes for the mesh API: the request body validated with zod
 * and turned into a ChatRequest (options mapped to Ollama's), answers as `chat.completion`
 * objects and `chat.completion.chunk` SSE events, `/v1/models`, and OpenAI's error object.
 * Pure: no I/O.
 */
import { z } from "zod";
import type { ChatChunk, ChatRequest, ChatTurn, ToolCall, ToolChoice } from "../chat.ts";
import type { MeshModel } from "../mesh_model.ts";
import { type MeshTrailer, type RoutingHints, Tools, toolSpecs } from "./ollama_api.ts";

const TextPart = z.looseObject({ type: z.literal("text"), text: z.string() });
const ImagePart = z.looseObject({
  type: z.literal("image_url"),
  image_url: z.union([z.string(), z.looseObject({ url: z.string() })]),
});
const Content = z.union([z.string(), z.array(z.union([TextPart, ImagePart]))]).nullish();

export const OpenAiMessage = z.looseObject({
  role: z.enum(["system", "developer", "user", "assistant", "tool"]),
  content: Content,
  name: z.string().optional(),
  tool_calls: z.array(z.looseObject({
    id: z.string().max(256),
    type: z.literal("function").nullish(),
    function: z.looseObject({ name: z.string().min(1).max(256), arguments: z.string() }),
  })).max(256).nullish(),
  tool_call_id: z.string().max(256).nullish(),
});

export const OpenAiChatBody = z.looseObject({
  model: z.string().max(256),
  messages: z.array(OpenAiMessage).min(1, "must contain at least one message").max(10_000),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().nullish() }).nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  max_tokens: z.number().int().positive().nullish(),
  max_completion_tokens: z.number().int().positive().nullish(),
  stop: z.union([z.string(), z.array(z.string()).max(16)]).nullish(),
  seed: z.number().int().nullish(),
  frequency_penalty: z.number().min(-2).max(2).nullish(),
  presence_penalty: z.number().min(-2).max(2).nullish(),
  n: z.literal(1, "only n=1 is supported").nullish(),
  response_format: z.union([
    z.looseObject({ type: z.enum(["text", "json_object"]) }),
    z.looseObject({
      type: z.literal("json_schema"),
      json_schema: z.looseObject({ schema: z.record(z.string(), z.unknown()).optional() }),
    }),
  ]).nullish(),
  reasoning_effort: z.enum(["none", "minimal", "low", "medium", "high"]).nullish(),
  tools: Tools,
  tool_choice: z.union([
    z.enum(["auto", "none", "required"]),
    z.looseObject({
      type: z.literal("function"),
      function: z.looseObject({ name: z.string().min(1).max(256) }),
    }),
  ]).nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  user: z.string().nullish(),
});
export type OpenAiChatBody = z.infer<typeof OpenAiChatBody>;

/** A request the schema accepts but the mesh cannot honour (e.g. an image by URL). */
export class UnsupportedInput extends Error {
  constructor(message: string, readonly param: string) {
    super(message);
    this.name = "UnsupportedInput";
  }
}

const DATA_URL = /^data:image\/[\w.+-]+;base64,(.*)$/s;

/** An OpenAI call's JSON `arguments` as an object; anything else is refused (400). */
function argumentsOf(text: string, param: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = text.trim() ? JSON.parse(text) : {};
  } catch {
    throw new UnsupportedInput("tool call arguments must be a JSON object", param);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new UnsupportedInput("tool call arguments must be a JSON object", param);
  }
  return value as Record<string, unknown>;
}

/** The tool fields of a turn: an assistant's calls, a tool result's call id. */
function toolFields(message: z.infer<typeof OpenAiMessage>, index: number): Partial<ChatTurn> {
  const out: Partial<ChatTurn> = {};
  if (message.tool_calls?.length) {
    out.toolCalls = message.tool_calls.map((call, c): ToolCall => ({
      id: call.id,
      name: call.function.name,
      arguments: argumentsOf(
        call.function.arguments,
        `messages.${index}.tool_calls.${c}.function.arguments`,
      ),
    }));
  }
  if (message.tool_call_id) out.toolCallId = message.tool_call_id;
  return out;
}

function turnFrom(message: z.infer<typeof OpenAiMessage>, index: number): ChatTurn {
  const turn = plainTurnFrom(message, index);
  return { ...turn, ...toolFields(message, index) };
}

function plainTurnFrom(message: z.infer<typeof OpenAiMessage>, index: number): ChatTurn {
  const role = message.role === "developer" ? "system" : message.role;
  if (typeof message.content === "string" || message.content == null) {
    return { role, content: message.content ?? "" };
  }
  const texts: string[] = [];
  const images: string[] = [];
  message.content.forEach((part, p) => {
    if (part.type === "text") {
      texts.push(part.text);
      return;
    }
    const url = typeof part.image_url === "string" ? part.image_url : part.image_url.url;
    const data = DATA_URL.exec(url);
    if (!data) {
      throw new UnsupportedInput(
        "images must be base64 data URLs (data:image/...;base64,...) through the mesh",
        `messages.${index}.content.${p}.image_url`,
      );
    }
    images.push(data[1]);
  });
  return { role, content: texts.join("\n"), ...(images.length ? { images } : {}) };
}

/** Maps the OpenAI body to a ChatRequest; sampling parameters become Ollama options. */
export function chatRequestFromOpenAi(body: OpenAiChatBody, hints: RoutingHints = {}): ChatRequest {
  const options: Record<string, unknown> = {};
  if (body.temperature != null) options.temperature = body.temperature;
  if (body.top_p != null) options.top_p = body.top_p;
  const maxTokens = body.max_completion_tokens ?? body.max_tokens;
  if (maxTokens != null) options.num_predict = maxTokens;
  if (body.stop != null) options.stop = typeof body.stop === "string" ? [body.stop] : body.stop;
  if (body.seed != null) options.seed = body.seed;
  if (body.frequency_penalty != null) options.frequency_penalty = body.frequency_penalty;
  if (body.presence_penalty != null) options.presence_penalty = body.presence_penalty;
  const format = body.response_format?.type === "json_object"
    ? "json"
    : body.response_format?.type === "json_schema"
    ? body.response_format.json_schema.schema
    : undefined;
  const effort = body.reasoning_effort;
  const think: ChatRequest["think"] = effort == null
    ? undefined
    : effort === "none"
    ? false
    : effort === "minimal"
    ? "low"
    : effort;
  const tools = toolSpecs(body.tools);
  const choice = body.tool_choice;
  const toolChoice: ToolChoice | undefined = choice == null
    ? undefined
    : typeof choice === "string"
    ? choice
    : { name: choice.function.name };
  return {
    model: body.model,
    messages: body.messages.map(turnFrom),
    ...(tools ? { tools } : {}),
    ...(toolChoice !== undefined ? { toolChoice } : {}),
    ...(body.parallel_tool_calls != null ? { parallelToolCalls: body.parallel_tool_calls } : {}),
    ...(Object.keys(options).length ? { options } : {}),
    ...(format !== undefined ? { format } : {}),
    ...(think !== undefined ? { think } : {}),
    conversationId: hints.conversationId,
    preferredHost: hints.preferredHost,
  };
}

export interface CompletionContext {
  id: string;
  /** Unix seconds. */
  created: number;
}

export type FinishReason = "stop" | "length" | "tool_calls";

/** `tool_calls` when the answer called tools, else from Ollama's done reason. */
export function finishReason(doneReason: string | undefined, calledTools = false): FinishReason {
  if (calledTools) return "tool_calls";
  return doneReason === "length" ? "length" : "stop";
}

/** A call id for a call the host gave none (Ollama's calls have no ids). */
export function newCallId(): string {
  return `call_${crypto.randomUUID().replaceAll("-", "").slice(0, 24)}`;
}

/** Calls in OpenAI's `message.tool_calls` shape (arguments as JSON text). */
export function openAiToolCalls(calls: readonly ToolCall[]) {
  return calls.map((call) => ({
    id: call.id ?? newCallId(),
    type: "function" as const,
    function: { name: call.name, arguments: JSON.stringify(call.arguments) },
  }));
}

/** Streamed `tool_calls` deltas: each call whole in one delta, numbered from `first`. */
export function openAiToolCallDeltas(calls: readonly ToolCall[], first: number) {
  return openAiToolCalls(calls).map((call, i) => ({ index: first + i, ...call }));
}

export function usageOf(stats: ChatChunk["stats"]) {
  const prompt = stats?.promptEvalCount ?? 0;
  const completion = stats?.evalCount ?? 0;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
  };
}

function chunkBase(ctx: CompletionContext, model: string) {
  return {
    id: ctx.id,
    object: "chat.completion.chunk",
    created: ctx.created,
    model,
    system_fingerprint: "fp_neuromesh",
  };
}

/** A `chat.completion.chunk`. The first carries the role; the last one the finish reason. */
export function openAiChunk(
  ctx: CompletionContext,
  model: string,
  delta: {
    content?: string | null;
    reasoning?: string;
    role?: "assistant";
    tool_calls?: ReturnType<typeof openAiToolCallDeltas>;
  },
  finish: FinishReason | null,
) {
  return { ...chunkBase(ctx, model), choices: [{ index: 0, delta, finish_reason: finish }] };
}

/** The usage-only chunk sent last when `stream_options.include_usage` is set. */
export function openAiUsageChunk(ctx: CompletionContext, model: string, stats: ChatChunk["stats"]) {
  return { ...chunkBase(ctx, model), choices: [], usage: usageOf(stats) };
}

/** The non-streaming `chat.completion` answer. */
export function openAiCompletion(
  ctx: CompletionContext,
  last: ChatChunk,
  text: { content: string; thinking: string; toolCalls?: ToolCall[] },
  trailer: MeshTrailer,
) {
  const calls = text.toolCalls ?? [];
  return {
    id: ctx.id,
    object: "chat.completion",
    created: ctx.created,
    model: last.servedBy.model,
    system_fingerprint: "fp_neuromesh",
    choices: [{
      index: 0,
      message: {
        role: "assistant",
        content: calls.length && !text.content ? null : text.content,
        ...(text.thinking ? { reasoning: text.thinking } : {}),
        ...(calls.length ? { tool_calls: openAiToolCalls(calls) } : {}),
      },
      finish_reason: finishReason(last.doneReason, calls.length > 0),
    }],
    usage: usageOf(last.stats),
    neuromesh: trailer,
  };
}

/** `/v1/models`: every model on the mesh, owned by the node that offers it (or "mesh"). */
export function openAiModelList(models: readonly MeshModel[]) {
  return { object: "list", data: models.map(openAiModel) };
}

export function openAiModel(model: MeshModel) {
  const created = model.modifiedAt ? Math.floor(Date.parse(model.modifiedAt) / 1000) : 0;
  return {
    id: model.name,
    object: "model",
    created: Number.isFinite(created) ? created : 0,
    owned_by: model.hosts.length === 1 ? model.hosts[0].name : "neuromesh",
  };
}

export type OpenAiErrorType =
  | "invalid_request_error"
  | "rate_limit_error"
  | "server_error"
  | "not_found_error";

export function openAiError(
  message: string,
  type: OpenAiErrorType,
  code: string | null = null,
  param: string | null = null,
) {
  return { error: { message, type, param, code } };
}
