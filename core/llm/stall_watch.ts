import type { Clock, TimerHandle } from "../time/clock.ts";
import type { BackendChunk } from "./backend.ts";
import { HostFailure } from "./inference_client.ts";
import {
  stallDeadline,
  type StallLimits,
  type StreamProgress,
  type UsualTiming,
  withChunkAt,
} from "./stall_detector.ts";

export interface StallWatchOptions {
  clock: Clock;
  limits: StallLimits;
  /** What the host usually shows for the model. */
  usual: UsualTiming;
  /** Aborted on a stall: this is what cancels the stream at its host. */
  abort: AbortController;
  /** The host's name, for the error. */
  hostName: string;
  /** The first chunk with text arrived `ms` after the start. */
  onFirstChunk?(ms: number): void;
  /** The stream ended with its final chunk. */
  onComplete?(firstChunkMs: number | undefined, longestGapMs: number): void;
}

/**
 * Passes a host's stream through while timing it: when the next chunk does not arrive by the
 * deadline of stall_detector.ts, aborts the stream at its host (`abort`) and throws
 * HostFailure("stalled"), which failover treats like a host that died.
 */
export async function* watchStalls(
  source: AsyncIterable<BackendChunk>,
  options: StallWatchOptions,
): AsyncGenerator<BackendChunk> {
  const { clock, limits, usual, abort } = options;
  const iterator = source[Symbol.asyncIterator]();
  let progress: StreamProgress = { startedAt: clock.now(), longestGapMs: 0 };
  let stalled = false;
  let firstMs: number | undefined;
  try {
    while (true) {
      const waitMs = Math.max(0, stallDeadline(progress, usual, limits) - clock.now());
      const next = iterator.next();
      // Rejects once the stream is aborted after a stall, when nobody awaits it any more.
      next.catch(() => {});
      let timer: TimerHandle | undefined;
      const timeout = new Promise<"stalled">((resolve) => {
        timer = clock.setTimeout(() => resolve("stalled"), waitMs);
      });
      const result = await Promise.race([next, timeout]).finally(() => clock.clearTimeout(timer));
      if (result === "stalled") {
        stalled = true;
        const started = progress.lastAt !== undefined;
        const failure = new HostFailure(
          `${options.hostName} stalled: no ${started ? "token" : "first token"} for ${
            Math.round(waitMs)
          } ms`,
          "stalled",
          started,
        );
        abort.abort(failure);
        throw failure;
      }
      if (result.done) return;
      const chunk = result.value;
      if (chunk.content || chunk.thinking || chunk.toolCalls?.length) {
        const at = clock.now();
        if (progress.lastAt === undefined) {
          firstMs = at - progress.startedAt;
          options.onFirstChunk?.(firstMs);
        }
        progress = withChunkAt(progress, at);
      }
      if (chunk.done) options.onComplete?.(firstMs, progress.longestGapMs);
      yield chunk;
    }
  } finally {
    // After a stall the source is mid-`next()`: its return waits for the abort to land.
    if (stalled) iterator.return?.()?.catch(() => {});
    else await iterator.return?.();
  }
}
