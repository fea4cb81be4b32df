import type { ChatChunk, ChatTurn, ToolCall, ToolChoice, ToolSpec } from "./chat.ts";
import type { BackendEmbedRequest, BackendEmbedResult } from "./embed.ts";

/**
 * A local LLM server this node can use (Ollama, or an OpenAI-compatible server). It stays on
 * this machine: peers reach it only through the mesh protocol, never directly.
 */
export interface LlmBackend {
  /** Human-readable description for logs and status, e.g. `ollama http://127.0.0.1:11434`. */
  readonly description: string;
  /** The Ollama server's base URL when this backend is Ollama (native views are asked there). */
  readonly ollamaUrl?: string;
  /** Installed models. Throws when the server is unreachable. */
  listModels(signal?: AbortSignal): Promise<BackendModel[]>;
  /** Server version string (e.g. Ollama's `0.12.3`), or undefined when it has none. */
  version(signal?: AbortSignal): Promise<string | undefined>;
  /**
   * Streams one chat answer. Throws (before or during iteration) when the server fails;
   * aborting `signal` stops the generation on the server.
   */
  chat(request: BackendChatRequest, signal: AbortSignal): AsyncIterable<BackendChunk>;
  /**
   * Embeds every input (one vector each, in order). Throws BackendError (400 for a model that
   * cannot embed). A backend without it serves no embeddings.
   */
  embed?(request: BackendEmbedRequest, signal: AbortSignal): Promise<BackendEmbedResult>;
}

export interface BackendModel {
  name: string;
  size: number;
  family?: string;
  parameterSize?: string;
  quantization?: string;
  digest?: string;
  modifiedAt?: string;
}

export interface BackendChatRequest {
  /** Exact model name as the backend lists it. */
  model: string;
  messages: ChatTurn[];
  options?: Record<string, unknown>;
  format?: unknown;
  keepAlive?: string | number;
  think?: boolean | "low" | "medium" | "high";
  tools?: ToolSpec[];
  toolChoice?: ToolChoice;
  parallelToolCalls?: boolean;
  /** Fill-in-the-middle / raw prompt: answer as `/api/generate` (see ChatRequest). */
  suffix?: string;
  raw?: boolean;
}

/** The backend's part of a chat request, for model `model` (as the backend names it). */
export function backendRequest(
  model: string,
  from: Omit<BackendChatRequest, "model">,
): BackendChatRequest {
  const { messages, options, format, keepAlive, think } = from;
  const out: BackendChatRequest = { model, messages, options, format, keepAlive, think };
  if (from.tools?.length) out.tools = from.tools;
  if (from.toolChoice !== undefined) out.toolChoice = from.toolChoice;
  if (from.parallelToolCalls !== undefined) out.parallelToolCalls = from.parallelToolCalls;
  if (from.suffix !== undefined) out.suffix = from.suffix;
  if (from.raw !== undefined) out.raw = from.raw;
  return out;
}

export interface BackendChunk {
  content: string;
  thinking?: string;
  /** Tool calls completed in this chunk. */
  toolCalls?: ToolCall[];
  done: boolean;
  doneReason?: string;
  stats?: ChatChunk["stats"];
}

/** A backend answered with an error status (e.g. unknown model), as opposed to being down. */
export class BackendError extends Error {
  constructor(message: string, readonly status?: number) {
    super(message);
    this.name = "BackendError";
  }
}
