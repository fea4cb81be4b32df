import { z } from "zod";

/**
 * LLM sharing messages. Owned by core/llm; documented in docs/protocol.md ("LLM sharing").
 *
 * - `LLMC:` capability: what a host offers and how loaded it is (on link up and on change).
 * - `LREQ:` / `LRES:` access request and grant/refusal (a grant is reused until `ttlMs`).
 * - `INFR:` start an inference stream; `TOKN:` chunk of text; `IEND:` end with stats;
 *   `ICAN:` the client stops the stream; `IERR:` the host refuses or fails the stream.
 */

const ModelName = z.string().min(1).max(256);
const StreamId = z.string().min(1).max(64);
const count = z.number().int().nonnegative();

export const LlmModelInfo = z.object({
  name: ModelName,
  size: count,
  family: z.string().max(128).optional(),
  parameterSize: z.string().max(64).optional(),
  quantization: z.string().max(64).optional(),
  digest: z.string().max(128).optional(),
  modifiedAt: z.string().max(64).optional(),
});
export type LlmModelInfo = z.infer<typeof LlmModelInfo>;

/** `LLMC:` — a host's offer. `serving: false` or `available: false` means "do not route to me". */
export const LlmCapability = z.object({
  available: z.boolean(),
  /** False: this node keeps its LLM to itself (`--no-serve-llm`). */
  serving: z.boolean(),
  models: z.array(LlmModelInfo).max(2000),
  inFlight: count,
  capacity: count,
  queued: count,
  queueLimit: count,
  /** Rolling generation speed over recent streams, tokens per second (0 when unknown). */
  tokensPerSecond: z.number().nonnegative(),
});
export type LlmCapability = z.infer<typeof LlmCapability>;

/** Why a host refuses access or a stream. */
export const RefusalCode = z.enum([
  "forbidden", // peer address outside the allowed ranges
  "blocked", // peer address inside a blocked range
  "not_serving", // this node does not serve its LLM to peers
  "rate_limited", // over `rateLimit` requests per minute
  "busy", // all slots in use and the wait queue is full (or the wait timed out)
  "no_model", // the model is not installed on this host
  "bad_request", // the request is malformed for the backend
  "upstream", // the local backend (Ollama) failed
  "shutting_down",
]);
export type RefusalCode = z.infer<typeof RefusalCode>;

/** `LREQ:` — "may I use your LLM?"; answered by `LRES:` with the same `requestId`. */
export const AccessRequest = z.object({
  requestId: StreamId,
  model: ModelName.optional(),
});
export type AccessRequest = z.infer<typeof AccessRequest>;

/** `LRES:` — a grant valid for `ttlMs`, or a refusal to respect for `ttlMs`. */
export const AccessResponse = z.object({
  requestId: StreamId,
  granted: z.boolean(),
  reason: RefusalCode.optional(),
  message: z.string().max(1024).optional(),
  ttlMs: z.number().int().nonnegative().max(24 * 3600_000),
});
export type AccessResponse = z.infer<typeof AccessResponse>;

/** A tool call as the mesh carries it (both APIs' calls map to it and back). */
export const WireToolCall = z.object({
  id: z.string().max(256).optional(),
  name: z.string().min(1).max(256),
  arguments: z.record(z.string(), z.unknown()),
});

/** A tool offered to the model: `{type: "function", function: {name, description, parameters}}`. */
export const WireToolSpec = z.object({
  type: z.literal("function"),
  function: z.object({
    name: z.string().min(1).max(256),
    description: z.string().max(16_384).optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
  }),
});

export const WireToolChoice = z.union([
  z.enum(["auto", "none", "required"]),
  z.object({ name: z.string().min(1).max(256) }),
]);

export const WireTurn = z.object({
  role: z.enum(["system", "user", "assistant", "tool"]),
  content: z.string(),
  images: z.array(z.string()).max(64).optional(),
  /** Assistant turns: the calls the model made. */
  toolCalls: z.array(WireToolCall).max(256).optional(),
  /** Tool turns: which tool (Ollama `tool_name`) and which call (OpenAI `tool_call_id`). */
  toolName: z.string().max(256).optional(),
  toolCallId: z.string().max(256).optional(),
});

export const Think = z.union([z.boolean(), z.enum(["low", "medium", "high"])]);

/** `INFR:` — start stream `streamId` (chosen by the client, unique per link) on model `model`. */
export const InferenceRequest = z.object({
  streamId: StreamId,
  model: ModelName,
  messages: z.array(WireTurn).min(1).max(10_000),
  options: z.record(z.string(), z.unknown()).optional(),
  format: z.unknown().optional(),
  keepAlive: z.union([z.string().max(32), z.number()]).optional(),
  think: Think.optional(),
  tools: z.array(WireToolSpec).max(512).optional(),
  toolChoice: WireToolChoice.optional(),
  parallelToolCalls: z.boolean().optional(),
  /**
   * Fill-in-the-middle: the text after the gap. With `suffix` or `raw` the host answers as
   * Ollama's `/api/generate` (system turn → `system`, user turn → `prompt`, a trailing assistant
   * turn — the text so far after a failover — appended to the prompt).
   */
  suffix: z.string().max(1_000_000).optional(),
  /** Ollama `raw`: no prompt template. */
  raw: z.boolean().optional(),
});
export type InferenceRequest = z.infer<typeof InferenceRequest>;

/**
 * `TOKN:` — text produced since the previous chunk; `seq` counts chunks of the stream from 0.
 * `toolCalls`: calls the model completed, each whole and sent once (never split over frames).
 */
export const InferenceToken = z.object({
  streamId: StreamId,
  seq: count,
  content: z.string(),
  thinking: z.string().optional(),
  toolCalls: z.array(WireToolCall).max(256).optional(),
});
export type InferenceToken = z.infer<typeof InferenceToken>;

export const InferenceStats = z.object({
  promptEvalCount: count.optional(),
  evalCount: count.optional(),
  totalDurationNs: count.optional(),
  evalDurationNs: count.optional(),
  loadDurationNs: count.optional(),
  promptEvalDurationNs: count.optional(),
});

/** `IEND:` — the stream ended normally; `seq` is the number of `TOKN:` chunks sent before it. */
export const InferenceDone = z.object({
  streamId: StreamId,
  seq: count,
  model: ModelName,
  doneReason: z.string().max(64).optional(),
  stats: InferenceStats.optional(),
});
export type InferenceDone = z.infer<typeof InferenceDone>;

/** `ICAN:` — the client no longer wants stream `streamId`; the host aborts its backend call. */
export const InferenceCancel = z.object({
  streamId: StreamId,
  reason: z.string().max(256).optional(),
});
export type InferenceCancel = z.infer<typeof InferenceCancel>;

/** `IERR:` — the host refused (`started: false`) or broke off (`started: true`) stream `streamId`. */
export const InferenceError = z.object({
  streamId: StreamId,
  code: RefusalCode,
  message: z.string().max(2048),
  started: z.boolean(),
  retryAfterMs: z.number().int().nonnegative().optional(),
});
export type InferenceError = z.infer<typeof InferenceError>;

export const llmSchemas = {
  "LLMC:": LlmCapability,
  "LREQ:": AccessRequest,
  "LRES:": AccessResponse,
  "INFR:": InferenceRequest,
  "TOKN:": InferenceToken,
  "IEND:": InferenceDone,
  "ICAN:": InferenceCancel,
  "IERR:": InferenceError,
} as const;
