import assert from "node:assert/strict";
import { decodeMessage, encodeMessage } from "../wire/codec.ts";
import { FrameDecoder } from "../wire/decoder.ts";
import { FakeClock } from "../time/clock.ts";
import { LinkWriter } from "./link_writer.ts";
import type { Connection } from "./transport.ts";

/** A connection that records writes; `hold` keeps each write pending until released. */
function recorder(options: { hold?: boolean; fail?: string } = {}) {
  const writes: Uint8Array[] = [];
  const pending: (() => void)[] = [];
  const connection: Connection = {
    remoteAddress: "10.0.0.2",
    remotePort: 1,
    read: () => Promise.resolve(null),
    write(bytes) {
      if (options.fail) return Promise.reject(new Error(options.fail));
      writes.push(bytes.slice());
      if (!options.hold) return Promise.resolve();
      return new Promise<void>((resolve) => pending.push(resolve));
    },
    close() {},
  };
  const markers = () => {
    const decoder = new FrameDecoder(1 << 20);
    return writes.flatMap((w) => decoder.push(w)).map((f) => decodeMessage(f).marker);
  };
  return { connection, writes, pending, markers };
}

function writer(connection: Connection, maxQueuedBytes = 1 << 20) {
  const failures: string[] = [];
  const stats = { framesOut: 0, bytesOut: 0 };
  const w = new LinkWriter({
    connection,
    clock: new FakeClock(),
    maxFrameBytes: 1_000,
    maxQueuedBytes,
    stats,
    onFailure: (reason, cause) => failures.push(`${cause}: ${reason}`),
  });
  return { w, failures, stats };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

Deno.test("LinkWriter writes frames queued in one tick as one batch and counts them", async () => {
  const r = recorder();
  const { w, stats } = writer(r.connection);
  assert.ok(w.enqueue("NOOP:", { pad: "a" }));
  assert.ok(w.enqueue(null, encodeMessage("NOOP:", { pad: "b" })));
  await tick();
  assert.equal(r.writes.length, 1);
  assert.deepEqual(r.markers(), ["NOOP:", "NOOP:"]);
  assert.equal(stats.framesOut, 2);
  assert.equal(stats.bytesOut, r.writes[0].length);
  assert.equal(w.queuedBytes, 0);
});

Deno.test("LinkWriter refuses a frame over maxFrameBytes without failing the link", async () => {
  const r = recorder();
  const { w, failures } = writer(r.connection);
  assert.equal(w.enqueue("NOOP:", { pad: "x".repeat(2_000) }), false);
  assert.equal(w.enqueue(null, encodeMessage("NOOP:", { pad: "x".repeat(2_000) })), false);
  await tick();
  assert.deepEqual([r.writes.length, failures], [0, []]);
});

Deno.test("LinkWriter.end() runs its callback once the last frames are written, then refuses more", async () => {
  const r = recorder({ hold: true });
  const { w } = writer(r.connection);
  w.enqueue("NOOP:", {});
  await tick();
  w.enqueue("BYE!:", { reason: "done" });
  let flushed = 0;
  w.end(() => flushed++);
  assert.equal(w.enqueue("NOOP:", {}), false);
  r.pending.shift()!();
  await tick();
  assert.equal(flushed, 0, "the BYE is still being written");
  r.pending.shift()!();
  await tick();
  assert.equal(flushed, 1);
  assert.deepEqual(r.markers(), ["NOOP:", "BYE!:"]);
});

Deno.test("LinkWriter reports a peer that lets the queue overflow, and a failed write", async () => {
  const held = recorder({ hold: true });
  const { w, failures } = writer(held.connection, 100);
  w.enqueue("NOOP:", { pad: "x".repeat(50) });
  await tick(); // in flight, no longer queued
  assert.ok(w.enqueue("NOOP:", { pad: "x".repeat(50) }));
  assert.equal(w.enqueue("NOOP:", { pad: "x".repeat(50) }), false);
  assert.deepEqual(failures, ["timeout: peer not reading: 146 bytes queued, limit 100"]);
  assert.equal(w.writeStartedAt, 1_000_000);
  const drained = w.drained();
  w.close();
  await drained;

  const broken = writer(recorder({ fail: "broken pipe" }).connection);
  broken.w.enqueue("NOOP:", {});
  await broken.w.done;
  await tick();
  assert.deepEqual(broken.failures, ["io: write failed: broken pipe"]);
});
