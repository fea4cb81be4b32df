import type { UsualTiming } from "./stall_detector.ts";

/**
 * What each host usually shows for each model, learned from finished streams: moving averages
 * of the time to first chunk and of the longest gap between chunks. Bounded: the least recently
 * used (host, model) pairs are forgotten beyond `maxEntries`.
 */
export class TokenTimings {
  readonly #entries = new Map<string, UsualTiming>();

  constructor(private readonly alpha = 0.3, private readonly maxEntries = 512) {}

  usual(hostId: string, model: string): UsualTiming {
    return this.#entries.get(key(hostId, model)) ?? {};
  }

  /** Learns from one answer that arrived whole: its first chunk after `firstTokenMs`, its longest gap. */
  record(hostId: string, model: string, firstTokenMs: number, longestGapMs: number): void {
    const k = key(hostId, model);
    const before = this.#entries.get(k) ?? {};
    this.#entries.delete(k);
    this.#entries.set(k, {
      firstTokenMs: this.#average(before.firstTokenMs, firstTokenMs),
      longestGapMs: this.#average(before.longestGapMs, longestGapMs),
    });
    if (this.#entries.size > this.maxEntries) {
      this.#entries.delete(this.#entries.keys().next().value!);
    }
  }

  #average(before: number | undefined, sample: number): number {
    return before === undefined ? sample : before + this.alpha * (sample - before);
  }
}

const key = (hostId: string, model: string) => `${hostId}\n${model}`;
