import { type ChatChunk, ChatError, type ChatService } from "../llm/chat.ts";
import type { Logger } from "../log/logger.ts";
import type { ChatMessage } from "../model/conversation.ts";
import type { Clock } from "../time/clock.ts";
import { Coalescer } from "../store/coalescer.ts";
import { type AnswerSoFar, answerStats, foldChunk, startAnswer } from "./answer_fold.ts";
import type { AskEvent } from "./ask_event.ts";
import type { EventQueue } from "./event_queue.ts";
import { type AnswerQuestion, answerRequest } from "./history.ts";
import { untilAborted } from "./until_aborted.ts";

export interface AnswerRunDeps {
  chat: ChatService;
  /** Stores a new version of the response (stamped) and tells the page. */
  save: (message: ChatMessage) => void;
  /** A new stamp of this node's clock. */
  stamp: () => string;
  /** The answer is complete: the conversation's summary changed. */
  finished: (conversationId: string) => void;
  logger: Logger;
  timers: Clock;
  wallClock: () => number;
  /** A growing answer is saved and pushed at most this often. */
  flushIntervalMs: number;
}

/** A question to answer (the conversation so far, the chat's settings) and where it goes. */
export interface AnswerJob extends AnswerQuestion {
  /** The empty response message, already stored. */
  response: ChatMessage;
  /** Where the asker reads the answer's events. */
  queue: EventQueue<AskEvent>;
  /** Stops the answer; what arrived is saved with `stopped: true`. */
  signal: AbortSignal;
}

/**
 * Streams one answer into its response message: each chunk folded in, the growing message
 * saved at most every `flushIntervalMs`, the final one saved complete with stats, stopped, or
 * with the error that ended it.
 */
export async function runAnswer(deps: AnswerRunDeps, job: AnswerJob): Promise<void> {
  const { conversationId, queue, signal } = job;
  const writer = new Coalescer<ChatMessage>(
    (value) => deps.save({ ...value, hlc: deps.stamp() }),
    deps.flushIntervalMs,
    deps.timers,
  );
  let answer: AnswerSoFar = startAnswer(job.response);
  const finish = (patch: Partial<ChatMessage>): ChatMessage => {
    const final = { ...answer.message, ...patch, complete: true, hlc: deps.stamp() };
    writer.finish(final);
    deps.finished(conversationId);
    return final;
  };
  let firstChunkAt: number | undefined;
  /** Time since the first chunk: the answer's writing time, over every host. */
  const writing = () => deps.wallClock() - (firstChunkAt ?? deps.wallClock());
  let iterator: AsyncIterator<ChatChunk> | undefined;
  try {
    iterator = deps.chat.chat(answerRequest(job), signal)[Symbol.asyncIterator]();
    while (true) {
      const next = await untilAborted(iterator.next(), signal);
      if (next.done) break;
      firstChunkAt ??= deps.wallClock();
      const folded = foldChunk(answer, next.value, writing());
      answer = folded.answer;
      for (const event of folded.events) queue.push(event);
      if (next.value.done) break;
      writer.offer(answer.message);
    }
    const final = finish({ stats: answerStats(answer, writing()) });
    queue.push({ type: "done", message: final });
  } catch (error) {
    if (signal.aborted) {
      queue.push({ type: "done", message: finish({ stopped: true }) });
    } else {
      const kind = error instanceof ChatError ? error.kind : "upstream";
      const text = (error as Error)?.message || String(error);
      const final = finish({ error: text });
      deps.logger.warn("answer failed", { conversation: conversationId, kind, error: text });
      queue.push({ type: "error", messageId: final.id, error: text, kind });
    }
    iterator?.return?.().catch(() => {});
  } finally {
    writer.cancel();
  }
}
