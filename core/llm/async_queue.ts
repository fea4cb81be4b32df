/**
 * A push-to-pull bridge: message handlers push items, one consumer iterates them in order.
 * `end()` finishes the iteration after the queued items; `fail()` throws after them.
 */
export class AsyncQueue<T> {
  #items: T[] = [];
  #waiting: { resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void } | undefined;
  #ended = false;
  #error: { error: unknown } | undefined;

  get finished(): boolean {
    return this.#ended || this.#error !== undefined;
  }

  push(item: T): void {
    if (this.finished) return;
    if (this.#waiting) {
      const waiting = this.#waiting;
      this.#waiting = undefined;
      waiting.resolve({ value: item, done: false });
    } else {
      this.#items.push(item);
    }
  }

  end(): void {
    if (this.finished) return;
    this.#ended = true;
    this.#wake();
  }

  fail(error: unknown): void {
    if (this.finished) return;
    this.#error = { error };
    this.#wake();
  }

  next(): Promise<IteratorResult<T>> {
    if (this.#items.length) return Promise.resolve({ value: this.#items.shift()!, done: false });
    if (this.#error) return Promise.reject(this.#error.error);
    if (this.#ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => this.#waiting = { resolve, reject });
  }

  #wake() {
    if (!this.#waiting || this.#items.length) return;
    const waiting = this.#waiting;
    this.#waiting = undefined;
    if (this.#error) waiting.reject(this.#error.error);
    else waiting.resolve({ value: undefined, done: true });
  }
}
