import type { LlmBackend } from "./backend.ts";
import { LazyOllamaBackend } from "./lazy_ollama_backend.ts";

/** Where the local LLM server is: an Ollama URL, or an OpenAI-compatible server's URL. */
export interface BackendLocation {
  ollamaUrl: string;
  openaiUrl?: string;
}

/** Makes the local backend for the Ollama URL of the moment (settings may change it). */
export type BackendMaker = (ollamaUrl: string) => LlmBackend;

/**
 * The maker of the local backend: an OpenAI-compatible server when `openaiUrl` is set, else
 * Ollama. Only that backend's client is loaded: the openai package alone holds ~18 MB of a
 * running node's memory, so it is imported only with `--openai-url`; the ollama client only
 * once something answers at the Ollama URL.
 */
export async function loadBackendMaker(openaiUrl?: string): Promise<BackendMaker> {
  if (openaiUrl) {
    const { OpenAiBackend } = await import("./openai_backend.ts");
    return () => new OpenAiBackend({ url: openaiUrl });
  }
  // The ollama client itself loads once something answers at the URL (lazy_ollama_backend.ts).
  return (ollamaUrl) => new LazyOllamaBackend(ollamaUrl);
}

/** The local backend a location names (see loadBackendMaker). */
export async function createBackend(location: BackendLocation): Promise<LlmBackend> {
  return (await loadBackendMaker(location.openaiUrl))(location.ollamaUrl);
}
