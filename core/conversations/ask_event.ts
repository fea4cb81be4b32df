import type { ChatError } from "../llm/chat.ts";
import type { ChatMessage, FailoverNote, MessageStats, ServedBy } from "../model/conversation.ts";

/** One line of an answer stream (the NDJSON lines of the HTTP API, read by the page). */
export type AskEvent =
  | { type: "question"; message: ChatMessage }
  | { type: "response"; message: ChatMessage }
  /** The host and model now writing the answer, from its first chunk (before any text). */
  | { type: "serving"; messageId: string; servedBy: ServedBy }
  /** Text added; `stats` counts every token so far, over every host that wrote the answer. */
  | { type: "delta"; messageId: string; content: string; stats?: MessageStats }
  /** The answer left `from` (with the reason) and continues on `to`. */
  | { type: "failover"; messageId: string; from: FailoverNote; to: ServedBy }
  | { type: "done"; message: ChatMessage }
  | { type: "error"; messageId?: string; error: string; kind: ChatError["kind"] };
