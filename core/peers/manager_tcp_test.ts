/** LinkManager over real TCP, on 127.0.0.1 only, with ports picked by the OS. */
import assert from "node:assert/strict";
import { silentLogger } from "../log/logger.ts";
import { CidrSet, DEFAULT_ALLOWED_CIDRS } from "../net/cidr.ts";
import type { PeerRef } from "./bus.ts";
import { LinkManager, type LinkManagerOptions } from "./manager.ts";

const LOOPBACK = "127.0.0.1";

interface TestNode {
  manager: LinkManager;
  ups: PeerRef[];
  downs: PeerRef[];
}

async function startNode(id: string, overrides: Partial<LinkManagerOptions> = {}) {
  const manager = new LinkManager({
    identity: { nodeId: id, name: `node ${id}` },
    appVersion: "test",
    peerHost: LOOPBACK,
    peerPort: 0,
    httpPort: 8080,
    allowed: new CidrSet(DEFAULT_ALLOWED_CIDRS),
    logger: silentLogger,
    heartbeatMs: 50,
    linkTimeoutMs: 1_000,
    handshakeTimeoutMs: 1_000,
    connectTimeoutMs: 1_000,
    backoff: { baseMs: 20, capMs: 200 },
    ...overrides,
  });
  const node: TestNode = { manager, ups: [], downs: [] };
  manager.onLinkUp((peer) => node.ups.push(peer));
  manager.onLinkDown((peer) => node.downs.push(peer));
  await manager.start();
  return node;
}

/** Polls `condition` every 10 ms; fails with `what` after `ms`. */
async function waitFor(what: string, condition: () => boolean, ms = 3_000) {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

Deno.test("two LinkManagers link over TCP and exchange messages both ways", async () => {
  const a = await startNode("AAAA");
  const b = await startNode("BBBB");
  try {
    const got: string[] = [];
    a.manager.on("NOOP:", (from, m) => got.push(`${from.id}->A ${m.pad}`));
    b.manager.on("NOOP:", (from, m) => got.push(`${from.id}->B ${m.pad}`));
    a.manager.connect(LOOPBACK, b.manager.peerPort, { nodeId: "BBBB" });
    await waitFor("link up on both sides", () => a.ups.length === 1 && b.ups.length === 1);
    assert.equal(b.ups[0].address, LOOPBACK);
    a.manager.send("BBBB", "NOOP:", { pad: "ping" });
    b.manager.broadcast("NOOP:", { pad: "pong" });
    await waitFor("both messages", () => got.length === 2);
    assert.deepEqual(got.sort(), ["AAAA->B ping", "BBBB->A pong"]);
    await waitFor("an RTT sample", () => a.manager.peers()[0].rttMs !== null);
    assert.ok(a.manager.peers()[0].rttMs! < 100);
    assert.equal(b.manager.peers()[0].peerPort, a.manager.peerPort);
  } finally {
    await a.manager.close();
    await b.manager.close();
  }
});

Deno.test("simultaneous dials over TCP leave exactly one stable link each", async () => {
  for (let round = 0; round < 5; round++) {
    const a = await startNode("AAAA");
    const b = await startNode("BBBB");
    try {
      a.manager.connect(LOOPBACK, b.manager.peerPort, { nodeId: "BBBB" });
      b.manager.connect(LOOPBACK, a.manager.peerPort, { nodeId: "AAAA" });
      await waitFor("links up", () => a.ups.length >= 1 && b.ups.length >= 1);
      await sleep(300); // several heartbeats: a flapping link would show here
      for (const node of [a, b]) {
        // A swap to the preferred connection repeats link-up (handlers greet again).
        const upIds = [...new Set(node.ups.map((peer) => peer.id))];
        assert.deepEqual(upIds, [node === a ? "BBBB" : "AAAA"], `round ${round}: link-ups`);
        assert.equal(node.downs.length, 0, `round ${round}: a link went down`);
        assert.equal(node.manager.peers().length, 1);
        assert.equal(node.manager.peers()[0].state, "up");
      }
      assert.equal(a.manager.peers()[0].direction, "out", "the lower id's dial must survive");
      assert.equal(b.manager.peers()[0].direction, "in");
    } finally {
      await a.manager.close();
      await b.manager.close();
    }
  }
});

Deno.test("a peer killed abruptly is seen down and relinked with backoff when it returns", async () => {
  const a = await startNode("AAAA");
  let b = await startNode("BBBB");
  const port = b.manager.peerPort;
  try {
    a.manager.connect(LOOPBACK, port, { static: true });
    await waitFor("first link", () => a.ups.length === 1);
    await b.manager.close({ graceful: false });
    await waitFor("link down", () => a.downs.length === 1);
    await sleep(300); // a few failed redials
    assert.equal(a.manager.peers()[0].state === "up", false);
    assert.match(a.manager.peers()[0].lastError ?? "", /connect failed|closed by peer/);

    b = await startNode("BBBB", { peerPort: port });
    await waitFor("relinked", () => a.ups.length === 2 && b.ups.length === 1);
    assert.equal(a.manager.peers()[0].state, "up");
  } finally {
    await a.manager.close();
    await b.manager.close();
  }
});

Deno.test("a connection from an address outside the allowed set is refused", async () => {
  const strict = await startNode("AAAA", { allowed: new CidrSet(["10.0.0.0/8"]) });
  const b = await startNode("BBBB");
  try {
    b.manager.connect(LOOPBACK, strict.manager.peerPort, { static: true });
    await sleep(300);
    assert.deepEqual(strict.ups, []);
    assert.deepEqual(b.ups, []);
    assert.deepEqual(strict.manager.peers(), []);
    assert.equal(b.manager.peers()[0].state === "up", false);
    assert.match(b.manager.peers()[0].lastError ?? "", /closed by peer|connection reset/i);
  } finally {
    await strict.manager.close();
    await b.manager.close();
  }
});

Deno.test("LinkManager.start() names the address when the port is taken", async () => {
  const a = await startNode("AAAA");
  const b = new LinkManager({
    identity: { nodeId: "BBBB", name: "b" },
    appVersion: "test",
    peerHost: LOOPBACK,
    peerPort: a.manager.peerPort,
    httpPort: 0,
    allowed: new CidrSet(DEFAULT_ALLOWED_CIDRS),
    logger: silentLogger,
  });
  try {
    await assert.rejects(
      b.start(),
      new RegExp(`cannot listen for peers on 127\\.0\\.0\\.1:${a.manager.peerPort}: `),
    );
  } finally {
    await b.close();
    await a.manager.close();
  }
});
