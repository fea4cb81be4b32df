/**
 * Model slots of the Ollama test double: like OLLAMA_NUM_PARALLEL, at most `parallel` replies
 * run at once and the others wait in a queue of at most `maxQueue` (OLLAMA_MAX_QUEUE).
 */
export class Slots {
  #parallel: number;
  #running = 0;
  #waiting: Array<() => void> = [];
  readonly maxQueue: number;

  /** `parallel` 0 means unlimited. */
  constructor(parallel = 0, maxQueue = 512) {
    for (const [name, value] of [["parallel", parallel], ["maxQueue", maxQueue]] as const) {
      if (!Number.isInteger(value) || value < 0) {
        throw new RangeError(`Slots: ${name} must be a non-negative integer, got ${value}`);
      }
    }
    this.#parallel = parallel;
    this.maxQueue = maxQueue;
  }

  get running(): number {
    return this.#running;
  }

  get queued(): number {
    return this.#waiting.length;
  }

  /** True when a new request would have to wait for a slot. */
  get busy(): boolean {
    return this.#parallel > 0 && this.#running >= this.#parallel;
  }

  /** True when a new request would have to wait and the queue is full. */
  get full(): boolean {
    return this.busy && this.#waiting.length >= this.maxQueue;
  }

  /** Waits for a slot; resolves to a release function (safe to call twice). */
  acquire(signal: AbortSignal): Promise<() => void> {
    if (signal.aborted) return Promise.reject(signal.reason);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.#running--;
      this.#waiting.shift()?.();
    };
    if (this.#parallel === 0 || this.#running < this.#parallel) {
      this.#running++;
      return Promise.resolve(release);
    }
    return new Promise((resolve, reject) => {
      const grant = () => {
        signal.removeEventListener("abort", onAbort);
        this.#running++;
        resolve(release);
      };
      const onAbort = () => {
        this.#waiting = this.#waiting.filter((w) => w !== grant);
        reject(signal.reason);
      };
      this.#waiting.push(grant);
      signal.addEventListener("abort", onAbort, { once: true });
    });
  }
}
