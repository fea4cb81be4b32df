import assert from "node:assert/strict";
import { LineSplitter, parseStreamEvent, readStreamEvents } from "./ndjson.ts";
import type { StreamEvent } from "./types.ts";

Deno.test("LineSplitter.push() keeps a partial line until its newline arrives", () => {
  const splitter = new LineSplitter();
  assert.deepEqual(splitter.push('{"a":1}\n{"b"'), ['{"a":1}']);
  assert.deepEqual(splitter.push(":2}\n\n"), ['{"b":2}']);
  assert.deepEqual(splitter.flush(), []);
});

Deno.test("LineSplitter.flush() returns a last line without trailing newline", () => {
  const splitter = new LineSplitter();
  assert.deepEqual(splitter.push('{"a":1}'), []);
  assert.deepEqual(splitter.flush(), ['{"a":1}']);
});

Deno.test("parseStreamEvent() rejects non-JSON and unknown types, quoting the value", () => {
  assert.throws(() => parseStreamEvent("nope"), /not JSON: nope/);
  assert.throws(() => parseStreamEvent('{"type":"weird"}'), /unknown type "weird"/);
  assert.throws(() => parseStreamEvent("3"), /not an object/);
  assert.deepEqual(parseStreamEvent('{"type":"delta","messageId":"m","content":"hi"}'), {
    type: "delta",
    messageId: "m",
    content: "hi",
  });
});

Deno.test("readStreamEvents() delivers events split across arbitrary byte chunks", async () => {
  const text =
    '{"type":"delta","messageId":"m","content":"h\u00e9"}\n{"type":"delta","messageId":"m","content":"!"}';
  const bytes = new TextEncoder().encode(text);
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      // Cut inside the two-byte "é" to check decoding across chunks.
      const cut = text.indexOf("\u00e9") + 1;
      controller.enqueue(bytes.slice(0, cut));
      controller.enqueue(bytes.slice(cut));
      controller.close();
    },
  });
  const events: StreamEvent[] = [];
  await readStreamEvents(body, (event) => events.push(event));
  assert.deepEqual(events.map((e) => e.type === "delta" && e.content), ["h\u00e9", "!"]);
});
