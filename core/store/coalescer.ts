import { type Clock, systemClock, type TimerHandle } from "../time/clock.ts";

/**
 * Keeps the latest value of something that changes fast (a streaming answer) and hands it to
 * `flush` at most once per `intervalMs`: at once when the last flush is old enough, otherwise
 * when the interval has passed. `finish` flushes the final value immediately.
 */
export class Coalescer<T> {
  #pending: { value: T } | null = null;
  #timer: TimerHandle | null = null;
  #lastFlushAt: number;

  constructor(
    private readonly flush: (value: T) => void,
    private readonly intervalMs = 250,
    private readonly timers: Clock = systemClock,
  ) {
    // The value was written just before the coalescer was made (the record's creation).
    this.#lastFlushAt = timers.now();
  }

  offer(value: T): void {
    this.#pending = { value };
    if (this.#timer !== null) return;
    const wait = this.#lastFlushAt + this.intervalMs - this.timers.now();
    if (wait <= 0) this.#flushPending();
    else this.#timer = this.timers.setTimeout(() => this.#flushPending(), wait);
  }

  /** Flushes `value` now, dropping whatever was pending; the coalescer is done afterwards. */
  finish(value: T): void {
    this.cancel();
    this.#lastFlushAt = this.timers.now();
    this.flush(value);
  }

  /** Drops the pending value and timer without flushing. */
  cancel(): void {
    if (this.#timer !== null) this.timers.clearTimeout(this.#timer);
    this.#timer = null;
    this.#pending = null;
  }

  get hasPending(): boolean {
    return this.#pending !== null;
  }

  #flushPending() {
    this.#timer = null;
    const pending = this.#pending;
    if (!pending) return;
    this.#pending = null;
    this.#lastFlushAt = this.timers.now();
    this.flush(pending.value);
  }
}
