import assert from "node:assert/strict";
import { decodeMessage, encodeMessage } from "../wire/codec.ts";
import { FrameDecoder } from "../wire/decoder.ts";
import { encodeFrame } from "../wire/frame.ts";
import type { Message } from "../wire/messages/index.ts";
import { type Hello, PROTOCOL_VERSION } from "../wire/messages/link.ts";
import { hello, settle } from "./testing/link_fixtures.ts";
import { FakeClock } from "../time/clock.ts";
import { Link, versionRefusal } from "./link.ts";
import type { LinkDown, LinkOptions } from "./link_options.ts";
import {
  MemoryConnection,
  memoryConnectionPair,
  type MemoryPairOptions,
} from "./testing/memory_transport.ts";

/** Lets the memory pipes and link loops run to quiescence. */
interface Probe {
  link: Link;
  ups: number;
  downs: LinkDown[];
  messages: Message[];
}

function startLink(
  connection: MemoryConnection,
  clock: FakeClock,
  options: Partial<LinkOptions> & { nodeId: string },
): Probe {
  const probe: Probe = { ups: 0, downs: [], messages: [] } as unknown as Probe;
  probe.link = new Link({
    connection,
    direction: "out",
    hello: hello(options.nodeId),
    clock,
    heartbeatMs: 100,
    linkTimeoutMs: 500,
    handshakeTimeoutMs: 300,
    partialFrameTimeoutMs: 400,
    ...options,
    handlers: {
      onUp: () => probe.ups++,
      onDown: (_link, down) => probe.downs.push(down),
      onMessage: (_link, message) => probe.messages.push(message),
    },
  });
  probe.link.start();
  return probe;
}

/** The far end of a connection driven by hand: writes raw bytes, decodes what the link sends. */
class RawPeer {
  decoder = new FrameDecoder(1024 * 1024);
  received: Message[] = [];
  chunks = 0;
  #reading: Promise<void>;

  constructor(readonly connection: MemoryConnection) {
    this.#reading = (async () => {
      while (true) {
        const chunk = await connection.read();
        if (chunk === null) return;
        this.chunks++;
        for (const frame of this.decoder.push(chunk)) this.received.push(decodeMessage(frame));
      }
    })();
  }
  sendHello(extra: Partial<Hello> = {}) {
    return this.connection.write(encodeMessage("HELO:", hello("RAW", extra)));
  }
  markers() {
    return this.received.map((m) => m.marker);
  }
  async close() {
    this.connection.close();
    await this.#reading;
  }
}

interface RawSetup {
  /** Options of the link under test (nodeId defaults to "A"). */
  link?: Partial<LinkOptions>;
  pair?: MemoryPairOptions;
  /** The raw peer's HELO fields, or false to send none. */
  hello?: Partial<Hello> | false;
}

/** A link under test ("A") facing a RawPeer driven by the test. */
async function facingRawPeer(setup: RawSetup = {}) {
  const clock = new FakeClock();
  const [a, b] = memoryConnectionPair(setup.pair);
  const probe = startLink(a, clock, { nodeId: "A", ...setup.link });
  const raw = new RawPeer(b);
  if (setup.hello !== false) await raw.sendHello(setup.hello ?? {});
  return { clock, probe, raw };
}

async function finish(clock: FakeClock, ...things: (Link | RawPeer)[]) {
  for (const thing of things) {
    if (thing instanceof Link) thing.close("test over");
    else await thing.close();
  }
  await settle();
  clock.advance(2_000); // lets any graceful-close flush timer run out
  await Promise.all(things.filter((t) => t instanceof Link).map((l) => (l as Link).closed));
  assert.equal(clock.pendingTimers, 0, "a closed link left timers behind");
}

Deno.test("Link exchanges HELO both ways and goes up with the peer's details", async () => {
  const clock = new FakeClock();
  const [a, b] = memoryConnectionPair();
  const left = startLink(a, clock, { nodeId: "A" });
  const right = startLink(b, clock, { nodeId: "B", direction: "in" });
  await settle();
  assert.equal(left.ups, 1);
  assert.equal(right.ups, 1);
  assert.equal(left.link.state, "up");
  assert.equal(left.link.remote?.nodeId, "B");
  assert.equal(right.link.remote?.name, "node A");
  assert.equal(right.link.remote?.nonce, left.link.nonce);
  assert.deepEqual(left.link.initiator, { initiatorId: "A", initiatorNonce: left.link.nonce });
  assert.deepEqual(right.link.initiator, left.link.initiator);
  left.link.close("test over");
  await settle();
  assert.deepEqual(right.downs, [{
    reason: "peer said bye: test over",
    cause: "bye",
    byeReason: "test over",
    wasUp: true,
  }]);
  await finish(clock, left.link, right.link);
});

Deno.test("Link refuses a peer of another protocol version with a BYE naming both", async () => {
  const { clock, probe, raw } = await facingRawPeer({
    hello: { protocolVersion: PROTOCOL_VERSION + 1 },
  });
  await settle();
  const expected = versionRefusal(PROTOCOL_VERSION, PROTOCOL_VERSION + 1);
  assert.match(expected, /ours \d+, theirs \d+\): upgrade NeuroMesh on this node/);
  assert.equal(probe.ups, 0);
  assert.deepEqual(probe.downs, [{ reason: expected, cause: "local", wasUp: false }]);
  assert.deepEqual(raw.markers(), ["HELO:", "BYE!:"]);
  assert.deepEqual(raw.received[1].payload, { reason: expected });
  assert.ok(probe.link.connection instanceof MemoryConnection && probe.link.connection.closed);
  await finish(clock, probe.link, raw);
});

Deno.test("Link refuses when the admission hook says so, and never goes up", async () => {
  const { clock, probe, raw } = await facingRawPeer({
    link: { admit: (remote) => `no thanks, ${remote.nodeId}` },
  });
  await settle();
  assert.equal(probe.ups, 0);
  assert.equal(probe.downs[0].reason, "no thanks, RAW");
  assert.deepEqual(raw.received[1].payload, { reason: "no thanks, RAW" });
  await finish(clock, probe.link, raw);
});

Deno.test("Link closes when no HELO arrives within the handshake timeout", async () => {
  const { clock, probe, raw } = await facingRawPeer({ hello: false });
  await settle();
  clock.advance(299);
  assert.equal(probe.downs.length, 0);
  clock.advance(1);
  assert.equal(probe.downs[0].reason, "handshake timed out after 300 ms");
  assert.equal(probe.downs[0].cause, "timeout");
  await finish(clock, probe.link, raw);
});

Deno.test("Link closes when the first frame is not HELO", async () => {
  const { clock, probe, raw } = await facingRawPeer({ hello: false });
  await raw.connection.write(encodeMessage("PING:", { seq: 0, sentAt: 1 }));
  await settle();
  assert.equal(probe.downs[0].reason, "protocol error: expected HELO: as first frame, got PING:");
  assert.equal(probe.downs[0].cause, "protocol");
  await finish(clock, probe.link, raw);
});

Deno.test("Link pings when it comes up and, as the dialer, after a heartbeat of quiet", async () => {
  const { clock, probe, raw } = await facingRawPeer();
  await settle();
  const pings = () => raw.received.filter((m) => m.marker === "PING:");
  const pong = (ping: Message) =>
    raw.connection.write(encodeMessage("PONG:", ping.payload as { seq: number; sentAt: number }));
  // Up: one PING at once, so the round trip is known from the start.
  assert.equal(pings().length, 1, `markers ${raw.markers()}`);
  clock.advance(8); // the peer takes 8 ms to answer
  await pong(pings()[0]);
  await settle();
  assert.equal(probe.link.stats.rttMs, 8);
  // The PONG was a sign of life: the next PING waits for a heartbeat of quiet after it.
  clock.advance(99);
  await settle();
  assert.equal(pings().length, 1);
  clock.advance(1);
  await settle();
  assert.equal(pings().length, 2);
  // A second, faster round trip moves the average part of the way.
  await pong(pings()[1]);
  await settle();
  assert.equal(probe.link.stats.rttMs, 8 + 0.25 * (0 - 8));
  await finish(clock, probe.link, raw);
});

Deno.test("Link sends no heartbeat while frames arrive, and the accepting side waits longer", async () => {
  for (const [direction, quietMs] of [["out", 100], ["in", 150]] as const) {
    const { clock, probe, raw } = await facingRawPeer({ link: { direction } });
    await settle();
    // A frame every 60 ms is proof of life enough: no PING for a whole second.
    for (let i = 0; i < 16; i++) {
      clock.advance(60);
      await raw.connection.write(encodeMessage("NOOP:", {}));
      await settle();
    }
    // Only the PING sent when the link came up.
    const pings = () => raw.markers().filter((m) => m === "PING:").length;
    assert.equal(pings(), 1, direction);
    clock.advance(quietMs - 1);
    await settle();
    assert.equal(pings(), 1, direction);
    clock.advance(1);
    await settle();
    assert.equal(pings(), 2, direction);
    await finish(clock, probe.link, raw);
  }
});

Deno.test("Link answers a PING with a PONG echoing it", async () => {
  const { clock, probe, raw } = await facingRawPeer();
  await raw.connection.write(encodeMessage("PING:", { seq: 7, sentAt: 12345 }));
  await settle();
  assert.deepEqual(raw.received.find((m) => m.marker === "PONG:")?.payload, {
    seq: 7,
    sentAt: 12345,
  });
  await finish(clock, probe.link, raw);
});

Deno.test("Link declares a peer silent for linkTimeoutMs lost", async () => {
  const { clock, probe, raw } = await facingRawPeer();
  await settle();
  clock.advance(400);
  await raw.connection.write(encodeMessage("NOOP:", {})); // any traffic counts as alive
  await settle();
  clock.advance(450);
  assert.equal(probe.downs.length, 0);
  clock.advance(100);
  assert.equal(probe.downs.length, 1);
  assert.match(probe.downs[0].reason, /^peer silent for 5\d\d ms$/);
  assert.equal(probe.downs[0].cause, "timeout");
  assert.equal(probe.downs[0].wasUp, true);
  await finish(clock, probe.link, raw);
});

Deno.test("Link closes on a partial frame that stalls (slow loris)", async () => {
  const { clock, probe, raw } = await facingRawPeer({
    link: { linkTimeoutMs: 10_000, partialFrameTimeoutMs: 400 },
  });
  const frame = encodeMessage("NOOP:", { pad: "x".repeat(100) });
  // One byte every 100 ms keeps the link "alive" but the frame never completes.
  for (let i = 0; i < 5; i++) {
    await raw.connection.write(frame.subarray(i, i + 1));
    await settle();
    clock.advance(100);
  }
  await settle();
  assert.equal(probe.downs.length, 1, JSON.stringify(probe.downs));
  assert.match(
    probe.downs[0].reason,
    /^partial frame stalled for 4\d\d ms \(\d+ bytes buffered\)$/,
  );
  await finish(clock, probe.link, raw);
});

Deno.test("Link does not count a frame completing slowly but steadily as stalled", async () => {
  const { clock, probe, raw } = await facingRawPeer({ link: { linkTimeoutMs: 10_000 } });
  const frame = encodeMessage("NOOP:", { pad: "x".repeat(3 * 64 * 1024) });
  const third = Math.ceil(frame.length / 3);
  for (let i = 0; i < 3; i++) {
    await raw.connection.write(frame.subarray(i * third, (i + 1) * third));
    await settle();
    clock.advance(300); // under the 400 ms limit per 64 KiB of progress
  }
  await settle();
  assert.deepEqual(probe.downs, []);
  assert.equal(probe.messages.length, 1);
  await finish(clock, probe.link, raw);
});

Deno.test("Link closes with the reason on an oversize frame and tells the peer", async () => {
  const { clock, probe, raw } = await facingRawPeer({ link: { maxFrameBytes: 1_000 } });
  await raw.connection.write(encodeFrame("NOOP:", new Uint8Array(1_001)));
  await settle();
  const reason = "protocol error: frame NOOP: length 1001 exceeds limit 1000";
  assert.equal(probe.downs[0].reason, reason);
  assert.deepEqual(raw.received.at(-1), { marker: "BYE!:", payload: { reason } });
  await finish(clock, probe.link, raw);
});

Deno.test("Link closes on an unknown marker", async () => {
  const { clock, probe, raw } = await facingRawPeer();
  await raw.connection.write(encodeFrame("ZZZZ:", new TextEncoder().encode("{}")));
  await settle();
  assert.equal(probe.downs[0].reason, 'protocol error: unknown marker "ZZZZ:"');
  await finish(clock, probe.link, raw);
});

Deno.test("Link goes down at once on BYE and stops sending", async () => {
  const { clock, probe, raw } = await facingRawPeer();
  await raw.connection.write(encodeMessage("BYE!:", { reason: "shutting down" }));
  await settle();
  assert.deepEqual(probe.downs, [{
    reason: "peer said bye: shutting down",
    cause: "bye",
    byeReason: "shutting down",
    wasUp: true,
  }]);
  assert.equal(probe.link.state, "closed");
  assert.equal(probe.link.send("NOOP:", {}), false);
  await probe.link.closed;
  assert.equal(clock.pendingTimers, 0);
  await raw.close();
});

Deno.test("Link reports EOF from the peer as down", async () => {
  const { clock, probe, raw } = await facingRawPeer();
  await settle();
  await raw.close();
  await settle();
  assert.equal(probe.downs[0].reason, "connection closed by peer");
  assert.equal(probe.downs[0].cause, "eof");
  await probe.link.closed;
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("Link batches 10,000 frames into few writes, in order, and delivers them", async () => {
  const { clock, probe: sender, raw } = await facingRawPeer();
  await settle();
  const chunksBefore = raw.chunks;
  for (let i = 0; i < 10_000; i++) assert.ok(sender.link.send("NOOP:", { pad: String(i) }));
  await settle(20);
  const pads = raw.received.filter((m) => m.marker === "NOOP:").map((m) =>
    (m.payload as { pad: string }).pad
  );
  assert.equal(pads.length, 10_000);
  assert.ok(pads.every((pad, i) => pad === String(i)), "frames arrived out of order");
  const writes = raw.chunks - chunksBefore;
  assert.ok(writes <= 10, `expected batched writes, got ${writes} for 10,000 frames`);
  assert.equal(sender.link.queuedBytes, 0);

  // And the receiving engine hands them to onMessage in the same order.
  const [c, d] = memoryConnectionPair();
  const left = startLink(c, clock, { nodeId: "A" });
  const right = startLink(d, clock, { nodeId: "B", direction: "in" });
  await settle();
  for (let i = 0; i < 10_000; i++) left.link.send("NOOP:", { pad: String(i) });
  await settle(20);
  assert.equal(right.messages.length, 10_000);
  assert.ok(right.messages.every((m, i) => (m.payload as { pad: string }).pad === String(i)));
  // Plus the HELO and the PING and PONG that measure the round trip when the link comes up.
  assert.equal(right.link.stats.framesIn, 10_003);
  await finish(clock, sender.link, raw, left.link, right.link);
});

Deno.test("Link drops a peer that stops reading once the queue limit is reached", async () => {
  const clock = new FakeClock();
  const [a, b] = memoryConnectionPair({ highWaterBytes: 4_096 });
  const probe = startLink(a, clock, { nodeId: "A", maxQueuedBytes: 50_000 });
  await b.write(encodeMessage("HELO:", hello("DEAF")));
  await settle();
  let accepted = 0;
  while (probe.link.send("NOOP:", { pad: "x".repeat(200) })) {
    accepted++;
    if (accepted % 100 === 0) await settle(1);
    assert.ok(accepted < 10_000, "the queue never filled");
  }
  assert.match(probe.downs[0].reason, /^peer not reading: \d+ bytes queued, limit 50000$/);
  b.close();
  await probe.link.closed;
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("Link drops a peer whose reads stall a write for linkTimeoutMs", async () => {
  const clock = new FakeClock();
  const [a, b] = memoryConnectionPair({ highWaterBytes: 1_000 });
  const probe = startLink(a, clock, { nodeId: "A", linkTimeoutMs: 10_000 });
  await b.write(encodeMessage("HELO:", hello("DEAF")));
  await settle();
  for (let i = 0; i < 100; i++) probe.link.send("NOOP:", { pad: "x".repeat(200) });
  await settle();
  // Keep the peer "alive" (it still sends) while it never reads.
  for (let t = 0; t < 10_000; t += 1_000) {
    await b.write(encodeMessage("NOOP:", {}));
    await settle(1);
    clock.advance(1_000);
  }
  await settle();
  assert.match(probe.downs[0]?.reason ?? "", /^peer not reading: a write has waited \d+ ms$/);
  b.close();
  await probe.link.closed;
});

Deno.test("Link refuses to queue a frame larger than maxFrameBytes", async () => {
  const { clock, probe, raw } = await facingRawPeer({ link: { maxFrameBytes: 300 } });
  await settle();
  assert.equal(probe.link.send("NOOP:", { pad: "x".repeat(400) }), false);
  assert.equal(probe.link.state, "up");
  await finish(clock, probe.link, raw);
});

/** Two links up with each other over a memory pipe ("A" dialed "B"). */
async function linkedPair() {
  const clock = new FakeClock();
  const [a, b] = memoryConnectionPair();
  const left = startLink(a, clock, { nodeId: "A" });
  const right = startLink(b, clock, { nodeId: "B", direction: "in" });
  await settle();
  return { clock, a, left, right };
}

Deno.test("Link.retire() reports down at once and still delivers what the peer sent before our BYE", async () => {
  const { clock, a, left, right } = await linkedPair();
  // The peer sends in the same tick we retire: its frames are on the wire, not yet read.
  for (let i = 0; i < 3; i++) assert.ok(right.link.send("NOOP:", { pad: `late ${i}` }));
  assert.ok(left.link.send("NOOP:", { pad: "ours, queued before the BYE" }));
  left.link.retire("duplicate link");
  assert.deepEqual(left.downs, [{ reason: "duplicate link", cause: "local", wasUp: true }]);
  assert.equal(left.link.state, "closed");
  assert.equal(left.link.send("NOOP:", { pad: "after" }), false);
  await settle();
  assert.deepEqual(
    left.messages.map((m) => m.payload),
    [0, 1, 2].map((i) => ({ pad: `late ${i}` })),
  );
  // The peer got what we queued, then the BYE, and closed its end, which ends the retirement.
  assert.deepEqual(right.messages.map((m) => m.payload), [{ pad: "ours, queued before the BYE" }]);
  assert.equal(right.downs[0].byeReason, "duplicate link");
  await left.link.closed;
  assert.ok(a.closed);
  assert.equal(clock.pendingTimers, 0);
  await finish(clock, right.link);
});

Deno.test("Link.retire() on both ends: each delivers the other's frames and closes on its BYE", async () => {
  const { clock, left, right } = await linkedPair();
  left.link.send("NOOP:", { pad: "from A" });
  right.link.send("NOOP:", { pad: "from B" });
  left.link.retire("duplicate link");
  right.link.retire("duplicate link");
  await settle();
  assert.deepEqual(left.messages.map((m) => m.payload), [{ pad: "from B" }]);
  assert.deepEqual(right.messages.map((m) => m.payload), [{ pad: "from A" }]);
  await Promise.all([left.link.closed, right.link.closed]);
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("Link.retire() stops reading after retireDrainMs when the peer never closes", async () => {
  const { clock, probe, raw } = await facingRawPeer({ link: { retireDrainMs: 1_000 } });
  await settle();
  probe.link.retire("duplicate link");
  await settle();
  assert.equal(raw.markers().at(-1), "BYE!:");
  await raw.connection.write(encodeMessage("NOOP:", { pad: "still heard" }));
  await settle();
  clock.advance(999);
  await raw.connection.write(encodeMessage("NOOP:", { pad: "also heard" }));
  await settle();
  assert.ok(!(probe.link.connection as MemoryConnection).closed);
  clock.advance(1);
  await probe.link.closed;
  assert.deepEqual(probe.messages.map((m) => m.payload), [
    { pad: "still heard" },
    { pad: "also heard" },
  ]);
  assert.equal(clock.pendingTimers, 0);
  await raw.close();
});

Deno.test("Link.retire() before the handshake is done is a plain close", async () => {
  const { clock, probe, raw } = await facingRawPeer({ hello: false });
  await settle();
  probe.link.retire("duplicate link");
  await settle();
  assert.deepEqual(probe.downs, [{ reason: "duplicate link", cause: "local", wasUp: false }]);
  await probe.link.closed;
  assert.equal(clock.pendingTimers, 0);
  await raw.close();
});
