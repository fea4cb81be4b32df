import { z } from "zod";
import { RefusalCode } from "./llm.ts";

/**
 * Embedding messages. Owned by core/llm (EmbedServer, EmbedClient); documented in
 * docs/protocol.md ("Embeddings").
 *
 * - `EMBR:` embed these inputs (one part of a client's batch: the client splits a batch whose
 *   inputs would not fit one frame).
 * - `EMBD:` vectors for a run of the request's inputs, from `offset`; the host sends as many as
 *   it takes to stay within the frame budget, in order; the last has `done: true`.
 * - `EMBX:` the host refused or failed the request (nothing more follows).
 * - `EMBC:` the client no longer wants the request; the host aborts its backend call.
 */

const RequestId = z.string().min(1).max(64);
const count = z.number().int().nonnegative();

/** `EMBR:` — embed `inputs` with `model`; `requestId` chosen by the client, unique per link. */
export const EmbedRequestMessage = z.object({
  requestId: RequestId,
  model: z.string().min(1).max(256),
  inputs: z.array(z.string()).max(100_000),
  truncate: z.boolean().optional(),
  dimensions: z.number().int().positive().max(1_000_000).optional(),
  keepAlive: z.union([z.string().max(32), z.number()]).optional(),
  options: z.record(z.string(), z.unknown()).optional(),
});
export type EmbedRequestMessage = z.infer<typeof EmbedRequestMessage>;

/**
 * One vector: base64 of its float32 values (little-endian) when every value is a float32, as
 * the backends' are; otherwise the numbers themselves, so no precision is lost.
 */
export const WireVector = z.union([z.string().max(64 * 1024 * 1024), z.array(z.number())]);
export type WireVector = z.infer<typeof WireVector>;

/** `EMBD:` — vectors of inputs `offset`… of request `requestId`; `done` on the last. */
export const EmbedData = z.object({
  requestId: RequestId,
  offset: count,
  vectors: z.array(WireVector).max(100_000),
  done: z.boolean(),
  /** On the last: the model as the host names it, and the backend's figures. */
  model: z.string().min(1).max(256).optional(),
  promptTokens: count.optional(),
  totalDurationNs: count.optional(),
  loadDurationNs: count.optional(),
});
export type EmbedData = z.infer<typeof EmbedData>;

/** `EMBX:` — request `requestId` was refused or failed on the host. */
export const EmbedFailure = z.object({
  requestId: RequestId,
  code: RefusalCode,
  message: z.string().max(2048),
  retryAfterMs: count.optional(),
});
export type EmbedFailure = z.infer<typeof EmbedFailure>;

/** `EMBC:` — the client gave up request `requestId`. */
export const EmbedCancel = z.object({
  requestId: RequestId,
  reason: z.string().max(256).optional(),
});
export type EmbedCancel = z.infer<typeof EmbedCancel>;

export const embedSchemas = {
  "EMBR:": EmbedRequestMessage,
  "EMBD:": EmbedData,
  "EMBX:": EmbedFailure,
  "EMBC:": EmbedCancel,
} as const;
