/**
 * A one-reader async queue: a producer pushes events whenever it likes, the reader iterates.
 * The producer never waits for the reader, so work (saving an answer) goes on even when
 * nobody reads any more; once the reader leaves, further events are dropped.
 */
export class EventQueue<T> implements AsyncIterable<T> {
  #items: T[] = [];
  #closed = false;
  #readerGone = false;
  #wake: (() => void) | null = null;

  push(item: T): void {
    if (this.#closed || this.#readerGone) return;
    this.#items.push(item);
    this.#notify();
  }

  close(): void {
    this.#closed = true;
    this.#notify();
  }

  get closed(): boolean {
    return this.#closed;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    try {
      while (true) {
        if (this.#items.length > 0) {
          yield this.#items.shift()!;
          continue;
        }
        if (this.#closed) return;
        await new Promise<void>((resolve) => (this.#wake = resolve));
      }
    } finally {
      this.#readerGone = true;
      this.#items = [];
    }
  }

  #notify() {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }
}
