import type { Clock, TimerHandle } from "../time/clock.ts";

/** A waiter was turned away: the queue was full, the wait timed out, or the pool closed. */
export class BusyError extends Error {
  constructor(message: string, readonly retryAfterMs?: number) {
    super(message);
    this.name = "BusyError";
  }
}

interface Waiter {
  resolve(release: () => void): void;
  reject(error: Error): void;
  timer: TimerHandle;
  onAbort?: () => void;
  signal?: AbortSignal;
}

/**
 * The local backend's concurrency: `capacity` requests run at once, up to `queueLimit` more
 * wait in FIFO order for at most `timeoutMs`, anything beyond is refused as busy at once.
 * Local and remote requests share one pool, so the backend is never oversubscribed.
 */
export class SlotPool {
  #inFlight = 0;
  #queue: Waiter[] = [];
  #listeners = new Set<() => void>();
  #closed = false;

  constructor(
    private capacityValue: number,
    private queueLimitValue: number,
    private readonly clock: Clock,
    private readonly timeoutMs = 120_000,
  ) {}

  get inFlight(): number {
    return this.#inFlight;
  }
  get queued(): number {
    return this.#queue.length;
  }
  get capacity(): number {
    return this.capacityValue;
  }
  get queueLimit(): number {
    return this.queueLimitValue;
  }
  /** True when a new request would have to wait. */
  get full(): boolean {
    return this.#inFlight >= this.capacityValue;
  }

  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Changes the limits; a larger capacity starts waiters at once. */
  resize(capacity: number, queueLimit: number): void {
    this.capacityValue = capacity;
    this.queueLimitValue = queueLimit;
    this.#drain();
    this.#changed();
  }

  /**
   * Resolves with a release function once a slot is free. Rejects with BusyError when the
   * queue is full or the wait exceeds the timeout, and with the signal's reason on abort.
   */
  acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#closed) return Promise.reject(new BusyError("the LLM host is shutting down"));
    if (this.#inFlight < this.capacityValue && this.#queue.length === 0) {
      return Promise.resolve(this.#grant());
    }
    if (this.#queue.length >= this.queueLimitValue) {
      return Promise.reject(
        new BusyError(
          `all ${this.capacityValue} slots are busy and the wait queue is full (${this.queueLimitValue})`,
          1_000,
        ),
      );
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        signal,
        timer: this.clock.setTimeout(() => {
          this.#remove(waiter);
          reject(
            new BusyError(`waited ${this.timeoutMs} ms in the queue without a free slot`, 1_000),
          );
        }, this.timeoutMs),
      };
      if (signal) {
        waiter.onAbort = () => {
          this.#remove(waiter);
          reject(signal.reason);
        };
        signal.addEventListener("abort", waiter.onAbort, { once: true });
      }
      this.#queue.push(waiter);
      this.#changed();
    });
  }

  /** Refuses every waiter; running requests finish and release normally. */
  close(): void {
    this.#closed = true;
    for (const waiter of this.#queue.splice(0)) {
      this.#forget(waiter);
      waiter.reject(new BusyError("the LLM host is shutting down"));
    }
  }

  #grant(): () => void {
    this.#inFlight++;
    this.#changed();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#inFlight--;
      this.#drain();
      this.#changed();
    };
  }

  #drain() {
    while (this.#inFlight < this.capacityValue && this.#queue.length > 0) {
      const waiter = this.#queue.shift()!;
      this.#forget(waiter);
      waiter.resolve(this.#grant());
    }
  }

  #remove(waiter: Waiter) {
    const index = this.#queue.indexOf(waiter);
    if (index >= 0) this.#queue.splice(index, 1);
    this.#forget(waiter);
    this.#changed();
  }

  #forget(waiter: Waiter) {
    this.clock.clearTimeout(waiter.timer);
    if (waiter.onAbort) waiter.signal?.removeEventListener("abort", waiter.onAbort);
  }

  #changed() {
    for (const listener of this.#listeners) listener();
  }
}
