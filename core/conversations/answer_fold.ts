/**
 * How an answer grows, without I/O: each chat chunk folds into the response message (text,
 * who serves it, where it failed over from and why, the tokens so far) and yields the events
 * the asker sees.
 */
import type { ChatChunk } from "../llm/chat.ts";
import type { ChatMessage, FailoverNote, ServedBy } from "../model/conversation.ts";
import type { AskEvent } from "./ask_event.ts";

/** An answer so far: the response message, its text pieces and the last chunk. */
export interface AnswerSoFar {
  message: ChatMessage;
  /** Chunks that carried text, from every host that wrote the answer. */
  pieces: number;
  /** Of `pieces`, those of the host writing now (its own final count replaces them). */
  hostPieces: number;
  /** The host writing now; unknown until the first chunk. */
  servedBy?: ServedBy;
  last?: ChatChunk;
}

/** An answer before its first chunk. */
export function startAnswer(message: ChatMessage): AnswerSoFar {
  return { message, pieces: 0, hostPieces: 0 };
}

/**
 * The answer with `chunk` added, and the events it makes: `serving` when the first host is
 * known (before any text), `failover` when the answer moved, `delta` with the running stats.
 * `elapsedMs` is the time since the answer's first chunk.
 */
export function foldChunk(
  answer: AnswerSoFar,
  chunk: ChatChunk,
  elapsedMs: number,
): { answer: AnswerSoFar; events: AskEvent[] } {
  const events: AskEvent[] = [];
  const messageId = answer.message.id;
  let message = answer.message;
  const newHost = !sameHost(answer.servedBy, chunk.servedBy);
  if (chunk.failedOverFrom) {
    const from = failoverNote(chunk);
    message = { ...message, failover: from };
    events.push({ type: "failover", messageId, from, to: chunk.servedBy });
  } else if (newHost) {
    events.push({ type: "serving", messageId, servedBy: chunk.servedBy });
  }
  const text = chunk.content ? 1 : 0;
  const next: AnswerSoFar = {
    message: {
      ...message,
      ...servedFields(chunk.servedBy),
      content: message.content + chunk.content,
    },
    pieces: answer.pieces + text,
    hostPieces: (newHost || chunk.failedOverFrom ? 0 : answer.hostPieces) + text,
    servedBy: chunk.servedBy,
    last: chunk,
  };
  const stats = answerStats(next, elapsedMs);
  if (stats) next.message.stats = stats;
  if (chunk.content) {
    events.push({
      type: "delta",
      messageId,
      content: chunk.content,
      ...(stats ? { stats } : {}),
    });
  }
  return { answer: next, events };
}

function sameHost(a: ServedBy | undefined, b: ServedBy): boolean {
  return a?.nodeId === b.nodeId && a.model === b.model;
}

/** The host a failover chunk left, with the reason when the LLM layer gave one. */
function failoverNote(chunk: ChatChunk): FailoverNote {
  const { nodeId, nodeName, model } = chunk.failedOverFrom!;
  return { nodeId, nodeName, model, ...(chunk.failoverReason && { reason: chunk.failoverReason }) };
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

/**
 * Tokens so far over every host, and the rate. The host writing now counts with its own final
 * figures once it sends them (else one token per piece); hosts the answer left count one token
 * per piece they delivered. One host: its own eval time; after a failover, `elapsedMs`.
 */
export function answerStats(answer: AnswerSoFar, elapsedMs: number): ChatMessage["stats"] {
  const { last, pieces, hostPieces } = answer;
  const earlier = pieces - hostPieces;
  const tokens = earlier + (last?.stats?.evalCount ?? hostPieces);
  if (tokens === 0) return undefined;
  const evalNs = last?.stats?.evalDurationNs;
  const durationMs = earlier === 0 && evalNs !== undefined ? evalNs / 1e6 : elapsedMs;
  return {
    tokens,
    durationMs: Math.round(durationMs),
    tokensPerSec: durationMs > 0 ? Math.round((tokens / (durationMs / 1000)) * 10) / 10 : 0,
  };
}
