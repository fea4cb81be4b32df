/**
 * Embeddings as the LLM layer sees them: what a backend is asked and answers, and what the mesh
 * answers (with the host that served it). The HTTP dialects map onto these in
 * core/llm/api/embed_api.ts; the mesh path is MeshEmbedder.
 */
import type { ServedBy } from "./chat.ts";

/** One embedding call on a backend: every input gets one vector, in order. */
export interface BackendEmbedRequest {
  /** Exact model name as the backend lists it. */
  model: string;
  inputs: string[];
  /** Cut inputs longer than the context (Ollama's default) instead of refusing them. */
  truncate?: boolean;
  /** Shorter vectors, for models that support it. */
  dimensions?: number;
  keepAlive?: string | number;
  options?: Record<string, unknown>;
}

export interface BackendEmbedResult {
  /** One vector per input, in the order of the inputs. */
  embeddings: number[][];
  promptTokens?: number;
  totalDurationNs?: number;
  loadDurationNs?: number;
}

/** An embedding request to the mesh: the model as the client named it. */
export interface EmbedRequest extends Omit<BackendEmbedRequest, "model"> {
  model: string;
  /** Host id the client prefers (`X-NeuroMesh-Prefer-Host`). */
  preferredHost?: string;
}

export interface EmbedResult extends BackendEmbedResult {
  /** The model as the (last) serving host names it. */
  model: string;
  servedBy: ServedBy;
  /** The host that failed before this one served, if any. */
  failedOverFrom?: ServedBy;
}

/** What the HTTP layer needs to embed through the mesh. */
export interface EmbedService {
  embed(request: EmbedRequest, signal?: AbortSignal): Promise<EmbedResult>;
}
