/**
 * How an answer grows, without I/O: each chat chunk folds into the response message (text,
 * who serves it, where it failed over from) and yields the events the asker sees; the final
 * stats come from the last chunk's token counts.
 */
import type { ChatChunk } from "../llm/chat.ts";
import type { ChatMessage, ServedBy } from "../model/conversation.ts";
import type { AskEvent } from "./ask_event.ts";

/** An answer so far: the response message, its text pieces and the last chunk. */
export interface AnswerSoFar {
  message: ChatMessage;
  /** Chunks that carried text. */
  pieces: number;
  last?: ChatChunk;
}

/** The answer with `chunk` added, and the events it makes. */
export function foldChunk(
  answer: AnswerSoFar,
  chunk: ChatChunk,
): { answer: AnswerSoFar; events: AskEvent[] } {
  const events: AskEvent[] = [];
  let message = answer.message;
  if (chunk.failedOverFrom) {
    message = { ...message, failover: chunk.failedOverFrom };
    events.push({
      type: "failover",
      messageId: message.id,
      from: chunk.failedOverFrom,
      to: chunk.servedBy,
    });
  }
  message = {
    ...message,
    ...servedFields(chunk.servedBy),
    content: message.content + chunk.content,
  };
  if (chunk.content) events.push({ type: "delta", messageId: message.id, content: chunk.content });
  return {
    answer: { message, pieces: answer.pieces + (chunk.content ? 1 : 0), last: chunk },
    events,
  };
}

/** The message fields that name the host and model serving the answer. */
function servedFields(servedBy: ServedBy): Partial<ChatMessage> {
  return {
    hostInfo: {
      nodeId: servedBy.nodeId,
      nodeName: servedBy.nodeName,
      model: servedBy.model,
      isLlmHost: true,
    },
    model: servedBy.model,
    sender: servedBy.nodeName,
  };
}

/** Token counts from the final chunk; without them, one token per streamed piece. */
export function answerStats(answer: AnswerSoFar, elapsedMs: number): ChatMessage["stats"] {
  const { last, pieces } = answer;
  const tokens = last?.stats?.evalCount ?? pieces;
  if (tokens === 0) return undefined;
  const evalNs = last?.stats?.evalDurationNs;
  const durationMs = evalNs !== undefined ? evalNs / 1e6 : elapsedMs;
  return {
    tokens,
    durationMs: Math.round(durationMs),
    tokensPerSec: durationMs > 0 ? Math.round((tokens / (durationMs / 1000)) * 10) / 10 : 0,
  };
}
