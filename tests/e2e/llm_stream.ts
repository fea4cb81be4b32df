/** Reads an NDJSON response body line by line, noting when each line arrived. */
export class NdjsonReader {
  readonly #reader: ReadableStreamDefaultReader<string>;
  #buffer = "";

  constructor(body: ReadableStream<Uint8Array<ArrayBuffer>>) {
    this.#reader = body.pipeThrough(new TextDecoderStream()).getReader();
  }

  /** The next JSON object, or null at the end of the body. */
  async next(): Promise<Record<string, unknown> | null> {
    for (let reads = 0; reads < 100_000; reads++) {
      const newline = this.#buffer.indexOf("\n");
      if (newline >= 0) {
        const line = this.#buffer.slice(0, newline).trim();
        this.#buffer = this.#buffer.slice(newline + 1);
        if (line) return JSON.parse(line);
        continue;
      }
      const { value, done } = await this.#reader.read();
      if (done) {
        const rest = this.#buffer.trim();
        this.#buffer = "";
        return rest ? JSON.parse(rest) : null;
      }
      this.#buffer += value;
    }
    throw new Error("NDJSON body: more than 100000 reads without a line");
  }

  async cancel(): Promise<void> {
    await this.#reader.cancel().catch(() => {});
  }
}

/** An Ollama chat stream object's text (`message.content`), "" for others. */
export function contentOf(line: Record<string, unknown>): string {
  const message = line.message as { content?: string } | undefined;
  return message?.content ?? "";
}
