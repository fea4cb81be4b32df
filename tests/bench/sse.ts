/**
 * A Server-Sent Events client for the node's `/api/events`, stamping each event with the
 * moment its bytes arrived (performance.now()), so the bench times pushes instead of polling.
 */

export interface SseEvent {
  event: string;
  data: string;
}

/** Splits an SSE byte stream (as text) into events; comments (`: keep-alive`) are dropped. */
export class SseParser {
  #buffer = "";

  feed(text: string): SseEvent[] {
    this.#buffer += text.replaceAll("\r\n", "\n");
    const events: SseEvent[] = [];
    let end: number;
    while ((end = this.#buffer.indexOf("\n\n")) >= 0) {
      const block = this.#buffer.slice(0, end);
      this.#buffer = this.#buffer.slice(end + 2);
      let event = "message";
      const data: string[] = [];
      for (const line of block.split("\n")) {
        if (line.startsWith(":") || line === "") continue;
        const colon = line.indexOf(":");
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
        if (field === "event") event = value;
        else if (field === "data") data.push(value);
      }
      if (data.length > 0) events.push({ event, data: data.join("\n") });
    }
    return events;
  }
}

export interface EventSubscription {
  /** Resolves when the response headers arrived (the snapshot events follow at once). */
  opened: Promise<void>;
  close(): Promise<void>;
}

const OPEN_TIMEOUT_MS = 10_000;

/** Subscribes to `${baseUrl}/api/events`; `onEvent` gets each event and its arrival time. */
export function subscribeEvents(
  baseUrl: string,
  onEvent: (event: SseEvent, atMs: number) => void,
): EventSubscription {
  const abort = new AbortController();
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  let opened!: () => void;
  let failed!: (error: unknown) => void;
  const openedPromise = new Promise<void>((resolve, reject) => {
    opened = resolve;
    failed = reject;
  });
  const openTimer = setTimeout(
    () =>
      abort.abort(new Error(`GET ${baseUrl}/api/events: no answer within ${OPEN_TIMEOUT_MS} ms`)),
    OPEN_TIMEOUT_MS,
  );
  const reading = (async () => {
    const response = await fetch(`${baseUrl}/api/events`, { signal: abort.signal })
      .finally(() => clearTimeout(openTimer));
    if (!response.ok || !response.body) {
      throw new Error(`GET ${baseUrl}/api/events: HTTP ${response.status}`);
    }
    reader = response.body.getReader();
    opened();
    const parser = new SseParser();
    const decoder = new TextDecoder();
    while (true) {
      const { value, done } = await reader.read();
      if (done) return;
      const at = performance.now();
      for (const event of parser.feed(decoder.decode(value, { stream: true }))) onEvent(event, at);
    }
  })().catch((error) => {
    failed(error);
  });
  openedPromise.catch(() => {}); // a stream that ends before opening is reported via `opened`
  return {
    opened: openedPromise,
    async close() {
      clearTimeout(openTimer);
      abort.abort();
      // Aborting alone does not always end a pending read of a fetch body (seen with Deno
      // 2.9.6 and many open streams): cancel the reader too, and never wait long.
      await reader?.cancel().catch(() => {});
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([reading, new Promise((resolve) => timer = setTimeout(resolve, 2_000))]);
      clearTimeout(timer);
    },
  };
}
