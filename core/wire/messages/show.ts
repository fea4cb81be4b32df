import { z } from "zod";
import { RefusalCode } from "./llm.ts";

/**
 * Model view messages: asked of a host, answered from its own backend. Owned by core/llm
 * (ModelViewServer, ModelViewClient); documented in docs/protocol.md ("Model views").
 *
 * - `MVRQ:` a question: `ps` (what the host's backend has loaded, Ollama's `/api/ps`) or `show`
 *   (Ollama's `/api/show` of one model the host has).
 * - `MVRS:` the answer to `requestId`: `ok: true` with `ps` or `show`, or `ok: false` with a
 *   refusal code and message (e.g. `no_model`, `not_serving`, `upstream`).
 */

const RequestId = z.string().min(1).max(64);
const count = z.number().int().nonnegative();

/** `MVRQ:` — `requestId` chosen by the client, unique per link; `model` for `show`. */
export const ModelViewRequest = z.discriminatedUnion("kind", [
  z.object({ requestId: RequestId, kind: z.literal("ps") }),
  z.object({
    requestId: RequestId,
    kind: z.literal("show"),
    model: z.string().min(1).max(256),
    verbose: z.boolean().optional(),
  }),
]);
export type ModelViewRequest = z.infer<typeof ModelViewRequest>;

/** One loaded model, as Ollama's `/api/ps` names it. */
export const LoadedModel = z.object({
  name: z.string().min(1).max(256),
  model: z.string().max(256).optional(),
  size: count,
  digest: z.string().max(128).optional(),
  details: z.record(z.string(), z.unknown()).optional(),
  expiresAt: z.string().max(64).optional(),
  sizeVram: count.optional(),
  contextLength: count.optional(),
});
export type LoadedModel = z.infer<typeof LoadedModel>;

/** `MVRS:` — the answer to `MVRQ:` `requestId`. */
export const ModelViewResponse = z.object({
  requestId: RequestId,
  ok: z.boolean(),
  /** For `ps`: the host backend's loaded models. */
  ps: z.array(LoadedModel).max(2000).optional(),
  /** For `show`: the host backend's `/api/show` answer, passed on as it is. */
  show: z.record(z.string(), z.unknown()).optional(),
  code: RefusalCode.optional(),
  message: z.string().max(2048).optional(),
});
export type ModelViewResponse = z.infer<typeof ModelViewResponse>;

export const showSchemas = {
  "MVRQ:": ModelViewRequest,
  "MVRS:": ModelViewResponse,
} as const;
