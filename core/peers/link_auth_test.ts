/** The AUTH: step of the link handshake and the pre-handshake frame limit, over memory pipes. */
import assert from "node:assert/strict";
import { encodeMessage } from "../wire/codec.ts";
import { encodeFrame } from "../wire/frame.ts";
import type { Auth } from "../wire/messages/link.ts";
import { hello, settle as settleRounds } from "./testing/link_fixtures.ts";

const settle = (rounds = 8) => settleRounds(rounds);
import { FakeClock } from "../time/clock.ts";
import { Link } from "./link.ts";
import type { LinkAuthenticator, LinkDown } from "./link_options.ts";
import { type MemoryConnection, memoryConnectionPair } from "./testing/memory_transport.ts";

/** Proves "<id> to <peer> on <peer's nonce>"; accepts only that exact text, optionally refusing. */
function fakeAuthenticator(refuse: string | null = null) {
  const seen: Auth[] = [];
  const authenticator: LinkAuthenticator = {
    prove: (remote, link) =>
      Promise.resolve({ signature: `${link.remote ? "" : "?"}${remote.nonce}`, meshProof: "m" }),
    verify: (_remote, auth, link) => {
      seen.push(auth);
      if (refuse) return Promise.resolve(refuse);
      return Promise.resolve(auth.signature === link.nonce ? null : "bad proof");
    },
  };
  return { authenticator, seen };
}

function start(
  connection: MemoryConnection,
  clock: FakeClock,
  nodeId: string,
  authenticator?: LinkAuthenticator,
) {
  const probe = { ups: 0, downs: [] as LinkDown[], link: null as unknown as Link };
  probe.link = new Link({
    connection,
    direction: nodeId === "A" ? "out" : "in",
    hello: hello(nodeId),
    authenticator,
    clock,
    handshakeTimeoutMs: 300,
    handlers: { onUp: () => probe.ups++, onDown: (_l, down) => probe.downs.push(down) },
  });
  probe.link.start();
  return probe;
}

async function finish(clock: FakeClock, ...links: Link[]) {
  for (const link of links) link.close("test over");
  await settle();
  clock.advance(2_000);
  await Promise.all(links.map((link) => link.closed));
  assert.equal(clock.pendingTimers, 0, "a closed link left timers behind");
}

Deno.test("Link with an authenticator exchanges AUTH: both ways before going up", async () => {
  const clock = new FakeClock();
  const [a, b] = memoryConnectionPair();
  const authA = fakeAuthenticator();
  const authB = fakeAuthenticator();
  const left = start(a, clock, "A", authA.authenticator);
  const right = start(b, clock, "B", authB.authenticator);
  await settle();
  assert.equal(left.ups, 1);
  assert.equal(right.ups, 1);
  // Each side proved itself on the other's nonce.
  assert.deepEqual(authA.seen, [{ signature: left.link.nonce, meshProof: "m" }]);
  assert.deepEqual(authB.seen, [{ signature: right.link.nonce, meshProof: "m" }]);
  await finish(clock, left.link, right.link);
});

Deno.test("Link refused by the authenticator stays down on both ends", async () => {
  const clock = new FakeClock();
  const [a, b] = memoryConnectionPair();
  const left = start(a, clock, "A", fakeAuthenticator().authenticator);
  const right = start(b, clock, "B", fakeAuthenticator("waiting for approval").authenticator);
  await settle();
  assert.equal(right.ups, 0);
  assert.equal(right.downs[0].reason, "waiting for approval");
  assert.equal(left.downs[0].reason, "peer said bye: waiting for approval");
  assert.equal(left.downs[0].wasUp, false);
  assert.equal(left.ups, 0, "the accepting side went up before the refusal");
  await finish(clock, left.link, right.link);
});

Deno.test("Link closes when the frame after HELO is not AUTH:", async () => {
  const clock = new FakeClock();
  const [a, b] = memoryConnectionPair();
  const probe = start(a, clock, "A", fakeAuthenticator().authenticator);
  await b.write(encodeMessage("HELO:", { ...hello("RAW"), nonce: "n" }));
  await b.write(encodeMessage("NOOP:", { pad: "sneaky" }));
  await settle();
  assert.equal(probe.ups, 0);
  assert.equal(probe.downs[0].reason, "protocol error: expected AUTH: after HELO:, got NOOP:");
  b.close();
  await finish(clock, probe.link);
});

Deno.test("Link waits for the peer's ACPT: before going up", async () => {
  const clock = new FakeClock();
  const [a, b] = memoryConnectionPair();
  const probe = start(a, clock, "A", fakeAuthenticator().authenticator);
  await b.write(encodeMessage("HELO:", { ...hello("RAW"), nonce: "n" }));
  await settle();
  await b.write(encodeMessage("AUTH:", { signature: probe.link.nonce }));
  await settle();
  assert.equal(probe.ups, 0);
  await b.write(encodeMessage("ACPT:", {}));
  await settle();
  assert.equal(probe.ups, 1);
  b.close();
  await finish(clock, probe.link);
});

Deno.test("Link times out a peer that never sends AUTH:", async () => {
  const clock = new FakeClock();
  const [a, b] = memoryConnectionPair();
  const probe = start(a, clock, "A", fakeAuthenticator().authenticator);
  await b.write(encodeMessage("HELO:", { ...hello("RAW"), nonce: "n" }));
  await settle();
  clock.advance(300);
  assert.equal(probe.downs[0].cause, "timeout");
  b.close();
  await finish(clock, probe.link);
});

Deno.test("Link refuses a frame announced above 256 KiB before the handshake, from its header", async () => {
  const clock = new FakeClock();
  const [a, b] = memoryConnectionPair();
  const probe = start(a, clock, "A", fakeAuthenticator().authenticator);
  // The header of a 10 MB HELO alone: far below maxFrameBytes, above the handshake's limit.
  const header = encodeFrame("HELO:", new Uint8Array(0));
  new DataView(header.buffer).setBigUint64(5, 10_000_000n, true);
  await b.write(header);
  await settle();
  assert.equal(probe.downs[0].cause, "protocol");
  assert.match(probe.downs[0].reason, /HELO: length 10000000 exceeds limit 262144/);
  b.close();
  await finish(clock, probe.link);
});

Deno.test("Link takes a large frame that arrives in the same read as the peer's ACPT:", async () => {
  const clock = new FakeClock();
  const [a, b] = memoryConnectionPair();
  const received: number[] = [];
  const link = new Link({
    connection: a,
    direction: "out",
    hello: hello("A"),
    authenticator: fakeAuthenticator().authenticator,
    clock,
    handlers: {
      onMessage: (_l, m) => m.marker === "NOOP:" && received.push(m.payload.pad!.length),
    },
  });
  link.start();
  await b.write(encodeMessage("HELO:", { ...hello("RAW"), nonce: "n" }));
  await settle();
  await b.write(encodeMessage("AUTH:", { signature: link.nonce }));
  await settle();
  const pad = "x".repeat(1024 * 1024);
  const accept = encodeMessage("ACPT:", {});
  const big = encodeMessage("NOOP:", { pad });
  const oneRead = new Uint8Array(accept.length + big.length);
  oneRead.set(accept);
  oneRead.set(big, accept.length);
  await b.write(oneRead);
  await settle();
  assert.equal(link.state, "up");
  assert.deepEqual(received, [pad.length]);
  b.close();
  await finish(clock, link);
});
