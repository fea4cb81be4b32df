/**
 * The contract between the chat API/conversations and the LLM layer: one chat request in,
 * a stream of chunks out, each saying which node and model produced it.
 */
export interface ChatTurn {
  role: "system" | "user" | "assistant" | "tool";
  content: string;
  images?: string[];
  /** Assistant turns: the tools the model called. */
  toolCalls?: ToolCall[];
  /** Tool turns: the tool whose result this is (Ollama `tool_name`). */
  toolName?: string;
  /** Tool turns: the call this answers (OpenAI `tool_call_id`). */
  toolCallId?: string;
}

/** One call of a tool by the model; `id` is OpenAI's call id (absent from Ollama's). */
export interface ToolCall {
  id?: string;
  name: string;
  arguments: Record<string, unknown>;
}

/** A tool offered to the model (both APIs: `{type: "function", function: {...}}`). */
export interface ToolSpec {
  type: "function";
  function: { name: string; description?: string; parameters?: Record<string, unknown> };
}

/** OpenAI's `tool_choice`: `auto`, `none`, `required`, or one named function. */
export type ToolChoice = "auto" | "none" | "required" | { name: string };

export interface ChatRequest {
  /** Model name as Ollama knows it; empty or undefined lets the router choose. */
  model?: string;
  messages: ChatTurn[];
  /** Ollama `options` (temperature, num_ctx, …) passed through untouched. */
  options?: Record<string, unknown>;
  format?: unknown;
  keepAlive?: string | number;
  /** Tools the model may call (passed to the host unchanged). */
  tools?: ToolSpec[];
  toolChoice?: ToolChoice;
  /** False: at most one tool call per answer. */
  parallelToolCalls?: boolean;
  /** Ollama `think` for reasoning models (true/false or an effort level). */
  think?: boolean | "low" | "medium" | "high";
  /**
   * Fill-in-the-middle (`/api/generate` or `/v1/completions` with `suffix`): the text after the
   * gap. With `suffix` or `raw`, the host answers as Ollama's `/api/generate`: the system turn is
   * `system`, the user turn the `prompt`, and a trailing assistant turn (a failover's text so
   * far) is appended to the prompt, so the next host continues the middle after it.
   */
  suffix?: string;
  /** Ollama `raw`: the prompt goes to the model without its template. */
  raw?: boolean;
  /** Conversation this turn belongs to, for host affinity. */
  conversationId?: string;
  /** Preferred host node id (user setting), used while that host is healthy. */
  preferredHost?: string;
}

export interface ServedBy {
  nodeId: string;
  nodeName: string;
  model: string;
}

export interface ChatChunk {
  /** Text added by this chunk (may be empty on the final chunk). */
  content: string;
  /** Reasoning text from thinking models, if any. */
  thinking?: string;
  /** Tool calls completed in this chunk (each call whole, sent once). */
  toolCalls?: ToolCall[];
  done: boolean;
  servedBy: ServedBy;
  /** Set on the first chunk produced by a new host after failover. */
  failedOverFrom?: ServedBy;
  /** With failedOverFrom: why the previous host was left (see chat_observer.ts). */
  failoverReason?: "died" | "stalled" | "error" | "busy";
  doneReason?: string;
  stats?: {
    promptEvalCount?: number;
    evalCount?: number;
    totalDurationNs?: number;
    evalDurationNs?: number;
    loadDurationNs?: number;
    promptEvalDurationNs?: number;
  };
}

/** Anything that can answer a chat: the mesh router (production) or a fake (tests). */
export interface ChatService {
  chat(request: ChatRequest, signal?: AbortSignal): AsyncIterable<ChatChunk>;
}

/** Refusals the HTTP layer maps to status codes (400, 429, 503). */
export class ChatError extends Error {
  constructor(
    message: string,
    readonly kind: "bad_request" | "rate_limited" | "no_host" | "busy" | "upstream",
  ) {
    super(message);
    this.name = "ChatError";
  }
}
