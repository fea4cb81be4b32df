/**
 * OpenAI's request and response JSON for the double's OpenAI-compatible API (`/v1/models`,
 * `/v1/chat/completions`, `/v1/completions`, `/v1/embeddings`), as in OpenAI's API reference:
 * requests are loose (sampling parameters are accepted and ignored), errors are
 * `{"error": {"message", "type", "param", "code"}}`.
 */
import { z } from "zod";
import type { ConversationMessage } from "./answer.ts";
import type { ToolChoice } from "./tools.ts";
import { JSON_HEADERS } from "./wire.ts";
import type { StructuredFormat } from "./structured.ts";

const stop = z.union([z.string(), z.array(z.string()).max(4)]).nullish()
  .transform((v) => v === null || v === undefined ? [] : typeof v === "string" ? [v] : v);
const streamOptions = z.looseObject({ include_usage: z.boolean().nullish() }).nullish();

const TextPart = z.looseObject({ type: z.literal("text"), text: z.string() });
const ImagePart = z.looseObject({
  type: z.literal("image_url"),
  image_url: z.union([z.string(), z.looseObject({ url: z.string() })]),
});
const Content = z.union([z.string(), z.array(z.union([TextPart, ImagePart]))]).nullish();

const MessageToolCall = z.looseObject({
  id: z.string().nullish(),
  type: z.string().nullish(),
  function: z.looseObject({ name: z.string(), arguments: z.string() }),
});
const Message = z.looseObject({
  role: z.enum(["system", "developer", "user", "assistant", "tool"]),
  content: Content,
  tool_calls: z.array(MessageToolCall).nullish(),
  tool_call_id: z.string().nullish(),
});

const Tool = z.looseObject({
  type: z.literal("function"),
  function: z.looseObject({ name: z.string().min(1), parameters: z.unknown().optional() }),
});
const ToolChoiceSchema = z.union([
  z.enum(["none", "auto", "required"]),
  z.looseObject({ type: z.literal("function"), function: z.looseObject({ name: z.string() }) }),
]).nullish();
const ResponseFormat = z.discriminatedUnion("type", [
  z.looseObject({ type: z.literal("text") }),
  z.looseObject({ type: z.literal("json_object") }),
  z.looseObject({
    type: z.literal("json_schema"),
    json_schema: z.looseObject({
      name: z.string(),
      schema: z.record(z.string(), z.unknown()).optional(),
    }),
  }),
]).nullish();

export const ChatCompletionRequestSchema = z.looseObject({
  model: z.string().min(1),
  messages: z.array(Message).min(1),
  stream: z.boolean().nullish(),
  stream_options: streamOptions,
  max_tokens: z.number().int().positive().nullish(),
  max_completion_tokens: z.number().int().positive().nullish(),
  stop,
  tools: z.array(Tool).nullish(),
  tool_choice: ToolChoiceSchema,
  parallel_tool_calls: z.boolean().nullish(),
  response_format: ResponseFormat,
});
export type ChatCompletionRequest = z.infer<typeof ChatCompletionRequestSchema>;

export const CompletionRequestSchema = z.looseObject({
  model: z.string().min(1),
  prompt: z.union([z.string(), z.array(z.string()).length(1)]).transform((p) =>
    typeof p === "string" ? p : p[0]
  ),
  suffix: z.string().nullish(),
  max_tokens: z.number().int().nonnegative().nullish(),
  stop,
  stream: z.boolean().nullish(),
  stream_options: streamOptions,
});
export type CompletionRequest = z.infer<typeof CompletionRequestSchema>;

export const EmbeddingRequestSchema = z.looseObject({
  model: z.string().min(1),
  input: z.union([z.string().min(1), z.array(z.string().min(1)).min(1).max(2048)]).transform((
    i,
  ) => typeof i === "string" ? [i] : i),
  encoding_format: z.enum(["float", "base64"]).nullish(),
  dimensions: z.number().int().positive().nullish(),
});

/** An OpenAI error body with its HTTP status (a full queue, 503, is a rate limit error). */
export function openAiErrorResponse(
  status: number,
  message: string,
  param: string | null = null,
  code: string | null = null,
): Response {
  let type = "invalid_request_error";
  if (status === 429 || status === 503) type = "rate_limit_error";
  else if (status >= 500) type = "server_error";
  return new Response(JSON.stringify({ error: { message, type, param, code } }), {
    status,
    headers: JSON_HEADERS,
  });
}

/** The first issue of a failed parse as OpenAI reports it, naming the field (`param`). */
export function openAiInvalid(error: z.ZodError): Response {
  const issue = error.issues[0];
  const param = issue.path.map(String).join(".") || null;
  return openAiErrorResponse(
    400,
    `Invalid value for '${param ?? "body"}': ${issue.message}`,
    param,
  );
}

export class InvalidImage extends Error {}

/** A chat message as the double answers it: text parts joined, data-URL images as base64. */
export function conversationMessage(m: ChatCompletionRequest["messages"][number]) {
  const parts = typeof m.content === "string" || !m.content ? null : m.content;
  const content = parts
    ? parts.map((p) => (p.type === "text" ? p.text : "")).join("")
    : (m.content as string | null | undefined) ?? "";
  const images = (parts ?? []).flatMap((p) => {
    if (p.type !== "image_url") return [];
    const url = typeof p.image_url === "string" ? p.image_url : p.image_url.url;
    const match = /^data:image\/[\w.+-]+;base64,(.+)$/.exec(url);
    if (!match) throw new InvalidImage("invalid image input: only base64 data URLs are supported");
    return [match[1]];
  });
  const message: ConversationMessage = {
    role: m.role,
    content,
    ...(images.length ? { images } : {}),
    ...(m.tool_calls?.length
      ? {
        tool_calls: m.tool_calls.map((c) => ({
          name: c.function.name,
          arguments: parseArguments(c.function.arguments),
        })),
      }
      : {}),
    ...(m.tool_call_id ? { tool_call_id: m.tool_call_id } : {}),
  };
  return message;
}

function parseArguments(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function toolChoice(choice: ChatCompletionRequest["tool_choice"]): ToolChoice {
  if (!choice) return "auto";
  return typeof choice === "string" ? choice : { name: choice.function.name };
}

export function structuredFormat(
  format: ChatCompletionRequest["response_format"],
): StructuredFormat | null {
  if (!format || format.type === "text") return null;
  if (format.type === "json_object") return "json";
  return format.json_schema.schema ?? "json";
}

export type FinishReason = "stop" | "length" | "tool_calls";

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export function usage(promptTokens: number, completionTokens: number): Usage {
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
  };
}

/** Fields every chat completion object and chunk shares. */
export interface Envelope {
  id: string;
  created: number;
  model: string;
}

export function chatCompletion(
  e: Envelope,
  message: { content: string | null; tool_calls?: unknown[] },
  finishReason: FinishReason,
  usage: Usage,
) {
  return {
    id: e.id,
    object: "chat.completion",
    created: e.created,
    model: e.model,
    system_fingerprint: "fp_ollama_double",
    choices: [{
      index: 0,
      message: { role: "assistant", ...message },
      logprobs: null,
      finish_reason: finishReason,
    }],
    usage,
  };
}

export function chatCompletionChunk(
  e: Envelope,
  delta: Record<string, unknown>,
  finishReason: FinishReason | null,
) {
  return {
    id: e.id,
    object: "chat.completion.chunk",
    created: e.created,
    model: e.model,
    system_fingerprint: "fp_ollama_double",
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
  };
}

/** The last chunk of a stream with `stream_options.include_usage`: no choices, the usage. */
export function usageChunk(e: Envelope, object: string, usage: Usage) {
  return { id: e.id, object, created: e.created, model: e.model, choices: [], usage };
}

export function textCompletion(
  e: Envelope,
  text: string,
  finishReason: FinishReason | null,
  usage?: Usage,
) {
  return {
    id: e.id,
    object: "text_completion",
    created: e.created,
    model: e.model,
    system_fingerprint: "fp_ollama_double",
    choices: [{ text, index: 0, logprobs: null, finish_reason: finishReason }],
    ...(usage ? { usage } : {}),
  };
}

/** `GET /v1/models` entry. */
export function openAiModel(name: string) {
  return { id: name, object: "model", created: 1735689600, owned_by: "library" };
}

export function embeddingList(
  model: string,
  vectors: readonly (number[] | string)[],
  promptTokens: number,
) {
  return {
    object: "list",
    data: vectors.map((embedding, index) => ({ object: "embedding", index, embedding })),
    model,
    usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
  };
}
