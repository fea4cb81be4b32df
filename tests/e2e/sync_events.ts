/**
 * Watches a node's live event stream (`GET /api/events`, Server-Sent Events) and notes when
 * each message and conversation first appeared there, on the test's clock — so propagation
 * is timed from the author's acknowledgement to the receiver's event without polling.
 */

export class ArrivalWatcher {
  /** performance.now() when each message id first appeared in a `message` event. */
  readonly messages = new Map<string, number>();
  /** performance.now() when each conversation id first appeared in a `conversation` event. */
  readonly conversations = new Map<string, number>();
  readonly #reader: ReadableStreamDefaultReader<string>;
  readonly #done: Promise<void>;

  private constructor(readonly url: string, body: ReadableStream<Uint8Array<ArrayBuffer>>) {
    this.#reader = body.pipeThrough(new TextDecoderStream()).getReader();
    this.#done = this.#read().catch(() => {});
  }

  /** Opens the stream (the node starts it with its status events). */
  static async open(url: string): Promise<ArrivalWatcher> {
    const res = await fetch(`${url}/api/events`);
    if (!res.ok || !res.body) throw new Error(`GET ${url}/api/events: HTTP ${res.status}`);
    return new ArrivalWatcher(url, res.body);
  }

  async #read() {
    let buffer = "";
    while (true) {
      const { value, done } = await this.#reader.read();
      if (done) return;
      const at = performance.now();
      buffer += value;
      let end: number;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        this.#event(buffer.slice(0, end), at);
        buffer = buffer.slice(end + 2);
      }
    }
  }

  #event(block: string, at: number) {
    let type = "";
    let data = "";
    for (const line of block.split("\n")) {
      if (line.startsWith("event:")) type = line.slice(6).trim();
      else if (line.startsWith("data:")) data += line.slice(5).trim();
    }
    if (type === "message") {
      const id = (JSON.parse(data) as { message: { id: string } }).message.id;
      if (!this.messages.has(id)) this.messages.set(id, at);
    } else if (type === "conversation") {
      const id = (JSON.parse(data) as { id: string }).id;
      if (!this.conversations.has(id)) this.conversations.set(id, at);
    }
  }

  async close(): Promise<void> {
    await this.#reader.cancel().catch(() => {});
    await this.#done;
  }
}

/** Minimum, median and maximum of a list of durations, for printing. */
export function spread(values: number[]): { min: number; median: number; max: number } {
  if (values.length === 0) throw new RangeError("spread() of no values");
  const sorted = [...values].sort((a, b) => a - b);
  return {
    min: sorted[0],
    median: sorted[Math.floor(sorted.length / 2)],
    max: sorted[sorted.length - 1],
  };
}

export function formatSpread(values: number[]): string {
  const { min, median, max } = spread(values);
  return `min ${min.toFixed(1)} ms, median ${median.toFixed(1)} ms, max ${max.toFixed(1)} ms ` +
    `(${values.length} samples)`;
}
