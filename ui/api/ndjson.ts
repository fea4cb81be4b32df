import type { StreamEvent } from "./types.ts";

/** Splits a text stream into lines; keeps a partial last line until its newline arrives. */
export class LineSplitter {
  #rest = "";

  push(chunk: string): string[] {
    const text = this.#rest + chunk;
    const lines = text.split("\n");
    this.#rest = lines.pop() ?? "";
    return lines.map((line) => line.trim()).filter((line) => line.length > 0);
  }

  /** The last line when the stream ended without a trailing newline. */
  flush(): string[] {
    const rest = this.#rest.trim();
    this.#rest = "";
    return rest ? [rest] : [];
  }
}

const TYPES = new Set([
  "question",
  "response",
  "serving",
  "delta",
  "failover",
  "done",
  "error",
]);

/** Parses one NDJSON line of an answer stream; throws with the line quoted when it is not one. */
export function parseStreamEvent(line: string): StreamEvent {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new Error(`answer stream line is not JSON: ${line.slice(0, 120)}`);
  }
  if (typeof value !== "object" || value === null) {
    throw new Error(`answer stream line is not an object: ${line.slice(0, 120)}`);
  }
  const event = value as { type?: unknown };
  if (typeof event.type !== "string" || !TYPES.has(event.type)) {
    throw new Error(`answer stream line has unknown type ${JSON.stringify(event.type)}`);
  }
  return value as StreamEvent;
}

/** Reads an NDJSON body to its end, calling `onEvent` for each line in order. */
export async function readStreamEvents(
  body: ReadableStream<Uint8Array>,
  onEvent: (event: StreamEvent) => void,
): Promise<void> {
  const splitter = new LineSplitter();
  const decoder = new TextDecoder();
  const reader = body.getReader();
  try {
    while (true) {
      const { value, done } = await reader.read();
      if (done) break;
      const text = decoder.decode(value, { stream: true });
      for (const line of splitter.push(text)) onEvent(parseStreamEvent(line));
    }
    for (const line of splitter.push(decoder.decode())) onEvent(parseStreamEvent(line));
    for (const line of splitter.flush()) onEvent(parseStreamEvent(line));
  } finally {
    reader.releaseLock();
  }
}
