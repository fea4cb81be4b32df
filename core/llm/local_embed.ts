import { BackendError } from "./backend.ts";
import type { BackendEmbedRequest, BackendEmbedResult } from "./embed.ts";
import type { LocalEngine } from "./local_engine.ts";

/**
 * One embedding call on this node's backend: waits for a slot of the pool chat uses (so
 * embeddings count in the load peers see), calls the backend, frees the slot. `admitted` is
 * called once the slot is held. The monitor hears of a failure unless the backend refused the
 * request itself (a 4xx: unknown model, a model that cannot embed).
 */
export async function embedLocally(
  engine: LocalEngine,
  request: BackendEmbedRequest,
  signal: AbortSignal,
  admitted?: () => void,
): Promise<BackendEmbedResult> {
  const release = await engine.acquire(signal);
  try {
    admitted?.();
    const backend = engine.monitor.backend;
    if (!backend) throw new Error("no local LLM backend is configured");
    if (!backend.embed) {
      throw new BackendError(`${backend.description} cannot compute embeddings`, 400);
    }
    try {
      const result = await backend.embed(request, signal);
      if (result.embeddings.length !== request.inputs.length) {
        throw new BackendError(
          `the backend answered ${result.embeddings.length} embeddings for ${request.inputs.length} inputs`,
        );
      }
      return result;
    } catch (error) {
      const refused = error instanceof BackendError && error.status !== undefined &&
        error.status >= 400 && error.status < 500;
      if (!signal.aborted && !refused) engine.monitor.reportFailure();
      throw error;
    }
  } finally {
    release();
  }
}
