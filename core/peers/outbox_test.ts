import assert from "node:assert/strict";
import { encodeMessage } from "../wire/codec.ts";
import { FrameDecoder } from "../wire/decoder.ts";
import { BATCH_BYTES, FIRST_BATCH_BYTES, Outbox } from "./outbox.ts";

function drain(outbox: Outbox): Uint8Array[] {
  const taken: Uint8Array[] = [];
  for (let next = outbox.take(); next; next = outbox.take()) taken.push(next);
  return taken;
}

Deno.test("Outbox.pushJson() writes the same bytes as encodeMessage, UTF-8 included", () => {
  const outbox = new Outbox();
  const payload = { reason: "grüße 👋 — ok" };
  const size = outbox.pushJson("BYE!:", payload, 1_000);
  const expected = encodeMessage("BYE!:", payload);
  assert.equal(size, expected.length - 13);
  assert.equal(outbox.bytes, expected.length);
  assert.deepEqual(drain(outbox), [expected]);
  assert.equal(outbox.bytes, 0);
});

Deno.test("Outbox batches many frames into buffers of at most 64 KiB, in order", () => {
  const outbox = new Outbox();
  for (let i = 0; i < 5_000; i++) outbox.pushJson("NOOP:", { pad: `frame ${i}` }, 1_000);
  const batches = drain(outbox);
  assert.ok(batches.length > 1 && batches.length < 10, `${batches.length} batches`);
  assert.ok(batches.every((b) => b.length <= BATCH_BYTES));
  const decoder = new FrameDecoder(1_000);
  const pads = batches.flatMap((b) => decoder.push(b)).map((f) =>
    JSON.parse(new TextDecoder().decode(f.payload)).pad
  );
  assert.deepEqual(pads, Array.from({ length: 5_000 }, (_, i) => `frame ${i}`));
});

Deno.test("Outbox copies small encoded frames into the batch and queues big ones uncopied", () => {
  const outbox = new Outbox();
  const small = encodeMessage("NOOP:", { pad: "a" });
  const big = encodeMessage("NOOP:", { pad: "b".repeat(100_000) });
  outbox.pushFrame(small);
  outbox.pushFrame(big);
  outbox.pushFrame(small);
  const batches = drain(outbox);
  assert.equal(batches.length, 3);
  assert.deepEqual(batches[0], small);
  assert.equal(batches[1], big, "a big frame must be queued as is");
  assert.deepEqual(batches[2], small);
});

Deno.test("Outbox.pushJson() refuses a payload over the limit and queues nothing", () => {
  const outbox = new Outbox();
  assert.equal(outbox.pushJson("NOOP:", { pad: "x".repeat(50) }, 20), -1);
  assert.equal(outbox.pushJson("NOOP:", { pad: "x".repeat(50_000) }, 20_000), -1);
  assert.equal(outbox.bytes, 0);
  assert.equal(outbox.take(), null);
});

Deno.test("Outbox.recycle() reuses its own batch buffers but never a caller's frame", () => {
  const outbox = new Outbox();
  outbox.pushJson("NOOP:", { pad: "one" }, 1_000);
  const first = outbox.take()!;
  outbox.recycle(first);
  outbox.pushJson("NOOP:", { pad: "two" }, 1_000);
  assert.equal(outbox.take()!.buffer, first.buffer);

  const shared = encodeMessage("NOOP:", { pad: "s".repeat(BATCH_BYTES) });
  outbox.pushFrame(shared);
  outbox.recycle(outbox.take()!);
  outbox.pushJson("NOOP:", { pad: "three" }, 1_000);
  assert.notEqual(outbox.take()!.buffer, shared.buffer);
  assert.equal(JSON.parse(new TextDecoder().decode(shared.subarray(13))).pad.length, BATCH_BYTES);
});

Deno.test("Outbox starts with a small batch buffer and doubles it while batches fill up", () => {
  const outbox = new Outbox();
  outbox.pushJson("HELO:", { nodeId: "A" }, 1_000);
  assert.equal(outbox.take()!.buffer.byteLength, FIRST_BATCH_BYTES, "a lone HELO");
  for (let i = 0; i < 20_000; i++) outbox.pushJson("NOOP:", { pad: `frame ${i}` }, 1_000);
  const sizes = drain(outbox).map((batch) => batch.buffer.byteLength);
  assert.deepEqual(sizes.slice(0, 6), [4, 8, 16, 32, 64, 64].map((k) => k * 1024));
  assert.ok(sizes.every((size) => size <= BATCH_BYTES));
});
