import type { ChatError } from "../llm/chat.ts";
import type { ChatMessage, ServedBy } from "../model/conversation.ts";

/** One line of an answer stream (the NDJSON lines of the HTTP API, read by the page). */
export type AskEvent =
  | { type: "question"; message: ChatMessage }
  | { type: "response"; message: ChatMessage }
  | { type: "delta"; messageId: string; content: string }
  | { type: "failover"; messageId: string; from: ServedBy; to: ServedBy }
  | { type: "done"; message: ChatMessage }
  | { type: "error"; messageId?: string; error: string; kind: ChatError["kind"] };
