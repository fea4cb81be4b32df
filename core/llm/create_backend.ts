import type { Config } from "../config/schema.ts";
import type { LlmBackend } from "./backend.ts";
import { OllamaBackend } from "./ollama_backend.ts";
import { OpenAiBackend } from "./openai_backend.ts";

/** The local backend a config names: an OpenAI-compatible server when `openaiUrl` is set, else Ollama. */
export function createBackend(config: Pick<Config, "ollamaUrl" | "openaiUrl">): LlmBackend {
  return config.openaiUrl
    ? new OpenAiBackend({ url: config.openaiUrl })
    : new OllamaBackend({ url: config.ollamaUrl });
}
