import type { Clock } from "../time/clock.ts";
import type { BackendChunk } from "./backend.ts";
import type { ChatObserver } from "./chat_observer.ts";
import type { StallLimits } from "./stall_detector.ts";
import { watchStalls } from "./stall_watch.ts";
import type { TokenTimings } from "./token_timings.ts";
import type { HostCandidate } from "./router.ts";

export interface HostStreamsOptions {
  clock: Clock;
  limits: StallLimits;
  timings: TokenTimings;
  observer: ChatObserver;
}

/**
 * Runs every attempt of a chat on a host (local or remote) under stall detection: its own
 * abort signal (so a stall cancels it at the host), the host's usual timings for the deadline,
 * what it showed learned afterwards, and the observer told of the first token and the tokens.
 */
export class HostStreams {
  constructor(private readonly options: HostStreamsOptions) {}

  async *run(
    host: HostCandidate,
    model: string,
    start: (signal: AbortSignal) => AsyncIterable<BackendChunk>,
    signal?: AbortSignal,
  ): AsyncGenerator<BackendChunk> {
    const { clock, limits, timings, observer } = this.options;
    const abort = new AbortController();
    const onAbort = () => abort.abort(signal!.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
    if (signal?.aborted) onAbort();
    observer.attempt(host, model);
    let chunks = 0;
    let tokens: number | undefined;
    try {
      const watched = watchStalls(start(abort.signal), {
        clock,
        limits,
        usual: timings.usual(host.id, model),
        abort,
        hostName: host.name,
        onFirstChunk: (ms) => observer.firstToken(host, model, ms),
        onComplete: (firstMs, longestGapMs) => {
          if (firstMs !== undefined) timings.record(host.id, model, firstMs, longestGapMs);
        },
      });
      for await (const chunk of watched) {
        if (chunk.content || chunk.thinking || chunk.toolCalls?.length) chunks++;
        if (chunk.done) tokens = chunk.stats?.evalCount;
        yield chunk;
      }
    } finally {
      signal?.removeEventListener("abort", onAbort);
      observer.tokens(host, model, tokens ?? chunks);
    }
  }
}
