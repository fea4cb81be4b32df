import type { LlmBackend } from "./backend.ts";
import { OllamaBackend } from "./ollama_backend.ts";
import { OpenAiBackend } from "./openai_backend.ts";

/** The local backend a config names: an OpenAI-compatible server when `openaiUrl` is set, else Ollama. */
/** Where the local LLM server is: an Ollama URL, or an OpenAI-compatible server's URL. */
export interface BackendLocation {
  ollamaUrl: string;
  openaiUrl?: string;
}

export function createBackend(config: BackendLocation): LlmBackend {
  return config.openaiUrl
    ? new OpenAiBackend({ url: config.openaiUrl })
    : new OllamaBackend({ url: config.ollamaUrl });
}
