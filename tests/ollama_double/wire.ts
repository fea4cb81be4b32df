/**
 * Ollama's request and response JSON for chat, generate and embeddings, as in Ollama's
 * api/types.go and docs/api.md. Requests are loose (unknown fields such as think are accepted
 * and ignored); responses keep Ollama's field order.
 */
import { z } from "zod";

const nullableString = z.string().nullish().transform((v) => v ?? "");
/** Base64 images, as Ollama's ImageData decodes them (standard alphabet, padded). */
export const Base64Images = z.array(
  z.string().regex(
    /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/,
    "illegal base64 data",
  ),
).nullish();
const ToolCallSchema = z.looseObject({
  function: z.looseObject({
    index: z.number().int().nullish(),
    name: z.string(),
    arguments: z.record(z.string(), z.unknown()).nullish().transform((v) => v ?? {}),
  }),
});
const MessageSchema = z.looseObject({
  role: z.string(),
  content: nullableString,
  images: Base64Images,
  tool_calls: z.array(ToolCallSchema).nullish(),
  tool_name: z.string().nullish(),
});
/** `{type: "function", function: {name, description, parameters}}`, as both APIs send tools. */
export const ToolSchema = z.looseObject({
  type: z.string().nullish(),
  function: z.looseObject({ name: z.string().min(1), parameters: z.unknown().optional() }),
});
/** `"json"` or a JSON schema object ("" means none). */
const FormatSchema = z.union([z.literal("json"), z.literal(""), z.record(z.string(), z.unknown())])
  .nullish();
const common = {
  model: nullableString,
  /** Ollama streams unless `stream` is false. */
  stream: z.boolean().nullish(),
  options: z.record(z.string(), z.unknown()).nullish(),
  keep_alive: z.union([z.string(), z.number()]).nullish(),
  format: FormatSchema,
};

export const ChatRequestSchema = z.looseObject({
  ...common,
  messages: z.array(MessageSchema).nullish().transform((v) => v ?? []),
  tools: z.array(ToolSchema).nullish(),
});
export type ChatRequestBody = z.infer<typeof ChatRequestSchema>;

export const GenerateRequestSchema = z.looseObject({
  ...common,
  prompt: nullableString,
  suffix: z.string().nullish(),
  system: z.string().nullish(),
  raw: z.boolean().nullish(),
  images: Base64Images,
});
export type GenerateRequestBody = z.infer<typeof GenerateRequestSchema>;

/** `POST /api/embed`: `input` is a string or a list of strings. */
export const EmbedRequestSchema = z.looseObject({
  model: nullableString,
  input: z.union([z.string(), z.array(z.string())]).nullish(),
  truncate: z.boolean().nullish(),
  dimensions: z.number().int().nonnegative().nullish(),
  options: z.record(z.string(), z.unknown()).nullish(),
  keep_alive: z.union([z.string(), z.number()]).nullish(),
});

/** `POST /api/embeddings` (superseded by /api/embed): one `prompt`. */
export const EmbeddingsRequestSchema = z.looseObject({
  model: nullableString,
  prompt: nullableString,
  options: z.record(z.string(), z.unknown()).nullish(),
  keep_alive: z.union([z.string(), z.number()]).nullish(),
});

export const ShowRequestSchema = z.looseObject({ model: nullableString, name: nullableString });

/** Statistics of the final chunk; all durations in nanoseconds. */
export interface Metrics {
  total_duration: number;
  load_duration: number;
  prompt_eval_count: number;
  prompt_eval_duration: number;
  eval_count: number;
  eval_duration: number;
}

export type DoneReason = "stop" | "length" | "load" | "unload";

/** `tool_calls` of an assistant message, when it has any. */
type ToolCalls = { tool_calls?: unknown[] };

export function chatChunk(model: string, content: string, extra: ToolCalls = {}) {
  return {
    model,
    created_at: new Date().toISOString(),
    message: { role: "assistant", content, ...extra },
    done: false,
  };
}

export function chatDone(
  model: string,
  content: string,
  doneReason: DoneReason,
  metrics?: Metrics,
  extra: ToolCalls = {},
) {
  return {
    model,
    created_at: new Date().toISOString(),
    message: { role: "assistant", content, ...extra },
    done_reason: doneReason,
    done: true,
    ...metrics,
  };
}

export function generateChunk(model: string, response: string) {
  return { model, created_at: new Date().toISOString(), response, done: false };
}

/** `withContext` false for raw prompts, which Ollama answers without `context`. */
export function generateDone(
  model: string,
  response: string,
  doneReason: DoneReason,
  metrics?: Metrics,
  withContext = true,
) {
  return {
    model,
    created_at: new Date().toISOString(),
    response,
    done: true,
    done_reason: doneReason,
    // token ids of prompt and answer, as Ollama returns for a later `context` request
    ...(metrics && withContext && {
      context: Array.from(
        { length: metrics.prompt_eval_count + metrics.eval_count },
        (_, i) => (i * 7919) % 32000 + 1,
      ),
    }),
    ...metrics,
  };
}

const GO_DURATION_UNITS_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  "µs": 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};
export const DEFAULT_KEEP_ALIVE_MS = 5 * 60_000;

/**
 * `keep_alive` in milliseconds: a number of seconds or a Go duration ("5m", "1h30m"); negative
 * means forever (Infinity); anything unreadable falls back to Ollama's default of 5 minutes.
 */
export function keepAliveMs(value: string | number | null | undefined): number {
  if (value === null || value === undefined) return DEFAULT_KEEP_ALIVE_MS;
  let ms: number;
  if (typeof value === "number" || /^-?\d+(\.\d+)?$/.test(value)) {
    ms = Number(value) * 1000;
  } else {
    const parts = [...value.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)];
    if (parts.map((p) => p[0]).join("") !== value.replace(/^-/, "")) return DEFAULT_KEEP_ALIVE_MS;
    ms = parts.reduce((sum, p) => sum + Number(p[1]) * GO_DURATION_UNITS_MS[p[2]], 0);
    if (value.startsWith("-")) ms = -ms;
  }
  return ms < 0 ? Infinity : ms;
}

/** The first issue of a failed parse, naming the field: `invalid request: messages.0.role: …`. */
export function zodMessage(error: { issues: { path: PropertyKey[]; message: string }[] }): string {
  const issue = error.issues[0];
  return `invalid request: ${issue.path.map(String).join(".") || "body"}: ${issue.message}`;
}

export const NDJSON_HEADERS = { "content-type": "application/x-ndjson" };
export const JSON_HEADERS = { "content-type": "application/json; charset=utf-8" };
const TEXT_HEADERS = { "content-type": "text/plain; charset=utf-8" };

export function jsonResponse(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: JSON_HEADERS });
}

/** Ollama's error shape: `{"error": message}`. */
export function errorResponse(status: number, message: string): Response {
  return jsonResponse(status, { error: message });
}

export function textResponse(status: number, text: string): Response {
  return new Response(text, { status, headers: TEXT_HEADERS });
}
