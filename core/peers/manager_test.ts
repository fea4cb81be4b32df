import assert from "node:assert/strict";
import { silentLogger } from "../log/logger.ts";
import { CidrSet, DEFAULT_ALLOWED_CIDRS } from "../net/cidr.ts";
import type { PeerRef } from "./bus.ts";
import { FakeClock } from "../time/clock.ts";
import { LinkManager, type LinkManagerOptions } from "./manager.ts";
import { MemoryNetwork } from "./testing/memory_transport.ts";
import type { Connection } from "./transport.ts";
import { encodeMessage } from "../wire/codec.ts";
import { PROTOCOL_VERSION } from "../wire/messages/link.ts";

const PORT = 7878;

/** Lets memory pipes and link loops run to quiescence. */
async function settle(rounds = 4) {
  for (let i = 0; i < rounds; i++) await new Promise((resolve) => setTimeout(resolve, 0));
}

/** Advances fake time in small steps, letting I/O run between them. */
async function runFor(clock: FakeClock, ms: number, step = 10) {
  for (let t = 0; t < ms; t += step) {
    clock.advance(step);
    await settle(2);
  }
}

interface TestNode {
  manager: LinkManager;
  address: string;
  ups: PeerRef[];
  downs: PeerRef[];
}

type NodeSpec = [id: string, address: string, overrides?: Partial<LinkManagerOptions>];

/** Managers on one in-memory network and one fake clock. */
class Lab {
  readonly net = new MemoryNetwork();
  readonly clock = new FakeClock();
  readonly nodes: TestNode[] = [];

  async start(...specs: NodeSpec[]): Promise<TestNode[]> {
    const started = specs.map(([id, address, overrides]) => this.#make(id, address, overrides));
    for (const node of started) await node.manager.start();
    this.nodes.push(...started);
    return started;
  }

  async closeAll() {
    const closing = Promise.all(this.nodes.map((n) => n.manager.close()));
    await settle();
    this.clock.advance(5_000);
    await closing;
    assert.equal(this.clock.pendingTimers, 0, "managers left timers behind");
  }

  #make(id: string, address: string, overrides: Partial<LinkManagerOptions> = {}): TestNode {
    const manager = new LinkManager({
      identity: { nodeId: id, name: `node ${id}` },
      appVersion: "test",
      peerHost: address,
      peerPort: PORT,
      httpPort: 8080,
      allowed: new CidrSet(DEFAULT_ALLOWED_CIDRS),
      transport: this.net.transport(address),
      logger: silentLogger,
      clock: this.clock,
      heartbeatMs: 100,
      linkTimeoutMs: 500,
      handshakeTimeoutMs: 300,
      connectTimeoutMs: 200,
      backoff: { baseMs: 50, capMs: 400, random: () => 0.5 },
      ...overrides,
    });
    const node: TestNode = { manager, address, ups: [], downs: [] };
    manager.onLinkUp((peer) => node.ups.push(peer));
    manager.onLinkDown((peer) => node.downs.push(peer));
    return node;
  }
}

Deno.test("LinkManager links two nodes; PeerBus send, broadcast and on work", async () => {
  const lab = new Lab();
  const { clock } = lab;
  const [a, b] = await lab.start(
    ["A", "10.0.0.1"],
    ["B", "10.0.0.2"],
  );
  const got: string[] = [];
  b.manager.on("NOOP:", (from, payload) => got.push(`${from.id}:${payload.pad}`));
  a.manager.on("NOOP:", (from, payload) => got.push(`${from.id}:${payload.pad}`));

  a.manager.connect("10.0.0.2", PORT, { nodeId: "B", name: "bee" });
  assert.equal(a.manager.peers()[0].state, "connecting");
  assert.equal(a.manager.peers()[0].name, "bee");
  await settle();

  assert.deepEqual(a.ups, [{ id: "B", name: "node B", address: "10.0.0.2" }]);
  assert.deepEqual(b.ups, [{ id: "A", name: "node A", address: "10.0.0.1" }]);
  assert.deepEqual(a.manager.linkedPeers(), a.ups);
  assert.equal(a.manager.send("B", "NOOP:", { pad: "hello" }), true);
  assert.equal(a.manager.send("nobody", "NOOP:", { pad: "lost" }), false);
  b.manager.broadcast("NOOP:", { pad: "to all" });
  b.manager.broadcast("NOOP:", { pad: "not to A" }, "A");
  await settle();
  assert.deepEqual(got.sort(), ["A:hello", "B:to all"]);

  await runFor(clock, 300); // heartbeats measure RTT
  const [row] = a.manager.peers();
  assert.equal(row.id, "B");
  assert.equal(row.state, "up");
  assert.equal(row.direction, "out");
  assert.equal(row.address, "10.0.0.2");
  assert.equal(row.peerPort, PORT);
  assert.equal(row.httpPort, 8080);
  assert.equal(row.rttMs, 0);
  assert.ok(row.framesOut >= 3 && row.bytesOut > 0 && row.framesIn >= 3, JSON.stringify(row));
  assert.equal(b.manager.peers()[0].direction, "in");
  await lab.closeAll();
});

Deno.test("LinkManager keeps exactly one link when two nodes dial each other at once", async () => {
  for (const [first, second] of [["A", "B"], ["B", "A"]]) {
    const lab = new Lab();
    const { clock } = lab;
    // Neither waits for the other (the higher id normally does): both dials race.
    const nodes = await lab.start(
      ["A", "10.0.0.1", { dialDeferMs: 0 }],
      ["B", "10.0.0.2", { dialDeferMs: 0 }],
    );
    const byId = { A: nodes[0], B: nodes[1] } as Record<string, TestNode>;
    byId[first].manager.connect(byId[second].address, PORT, { nodeId: second });
    byId[second].manager.connect(byId[first].address, PORT, { nodeId: first });
    await runFor(clock, 2_000);
    for (const node of nodes) {
      // A swap to the preferred connection repeats link-up (handlers greet again), never down.
      const upIds = [...new Set(node.ups.map((peer) => peer.id))];
      assert.deepEqual(upIds, [node === byId.A ? "B" : "A"], `${node.address} link-ups`);
      assert.equal(node.downs.length, 0, `${node.address} saw a link go down`);
      assert.equal(node.manager.peers().length, 1);
      assert.equal(node.manager.peers()[0].state, "up");
    }
    // The survivor is the connection node A (the lower id) dialed.
    assert.equal(byId.A.manager.peers()[0].direction, "out");
    assert.equal(byId.B.manager.peers()[0].direction, "in");
    await lab.closeAll();
  }
});

Deno.test("LinkManager: two nodes that find each other link once, dialed by the lower id", async () => {
  const lab = new Lab();
  const { clock } = lab;
  const [a, b] = await lab.start(["A", "10.0.0.1"], ["B", "10.0.0.2"]);
  b.manager.connect("10.0.0.1", PORT, { nodeId: "A" }); // B hears A first, and waits
  await runFor(clock, 100);
  assert.equal(b.ups.length, 0, "B (the higher id) has not dialed");
  a.manager.connect("10.0.0.2", PORT, { nodeId: "B" });
  await runFor(clock, 5_000); // well past B's wait
  // One link-up each: no second handshake, no duplicate to retire and swap.
  assert.deepEqual(a.ups.map((p) => p.id), ["B"]);
  assert.deepEqual(b.ups.map((p) => p.id), ["A"]);
  assert.equal(a.manager.peers()[0].direction, "out");
  assert.equal(b.manager.peers()[0].state, "up");
  await lab.closeAll();
});

Deno.test("LinkManager forms one link per pair among four nodes dialing everyone", async () => {
  const lab = new Lab();
  const { clock } = lab;
  const ids = ["D", "A", "C", "B"];
  const nodes = await lab.start(...ids.map((id, i): NodeSpec => [id, `10.0.0.${i + 1}`]));
  for (const from of nodes) {
    for (const [j, to] of nodes.entries()) {
      if (to !== from) from.manager.connect(to.address, PORT, { nodeId: ids[j] });
    }
  }
  await runFor(clock, 2_000);
  for (const node of nodes) {
    assert.equal(node.manager.linkedPeers().length, 3);
    assert.equal(new Set(node.ups.map((peer) => peer.id)).size, 3);
    assert.equal(node.downs.length, 0);
  }
  await lab.closeAll();
});

Deno.test("LinkManager refuses connections from outside the allowed set or inside the blocked one", async () => {
  const lab = new Lab();
  const { clock } = lab;
  const [a, outsider, blocked] = await lab.start(
    ["A", "10.0.0.1", { blocked: new CidrSet(["10.9.0.0/16"]) }],
    // X and Y have the higher ids: no waiting for A to dial first.
    ["X", "8.8.8.8", { allowed: new CidrSet(["0.0.0.0/0"]), dialDeferMs: 0 }],
    ["Y", "10.9.0.7", { dialDeferMs: 0 }],
  );
  outsider.manager.connect("10.0.0.1", PORT, { nodeId: "A" });
  blocked.manager.connect("10.0.0.1", PORT, { nodeId: "A" });
  await runFor(clock, 500);
  assert.deepEqual(a.manager.peers(), []);
  assert.deepEqual(a.ups, []);
  for (const node of [outsider, blocked]) {
    const [row] = node.manager.peers();
    assert.notEqual(row.state, "up");
    // Refused before anything was read or sent: the dialer never got a HELO.
    assert.equal(row.lastError, "connection closed by peer");
  }
  await lab.closeAll();
});

Deno.test("LinkManager does not dial an address outside the allowed set", async () => {
  const lab = new Lab();
  const [a, far] = await lab.start(
    ["A", "10.0.0.1"],
    ["F", "203.0.113.5", { allowed: new CidrSet(["0.0.0.0/0"]) }],
  );
  a.manager.connect("203.0.113.5", PORT, { static: true });
  await settle();
  assert.equal(a.manager.peers()[0].lastError, "address 203.0.113.5 is not allowed");
  assert.deepEqual(far.ups, []);
  await lab.closeAll();
});

Deno.test("LinkManager caps live connections per remote address", async () => {
  const lab = new Lab();
  const { net } = lab;
  await lab.start(["A", "10.0.0.1", { maxLinksPerAddress: 2 }]);
  const crowd = net.transport("10.0.0.5");
  const connections = [];
  for (let i = 0; i < 3; i++) connections.push(await crowd.dial("10.0.0.1", PORT));
  await settle();
  // The first two got a HELO; the third was closed at once.
  const firstReads = await Promise.all(connections.map((c) => c.read()));
  assert.ok(firstReads[0] && firstReads[1]);
  assert.equal(firstReads[2], null);
  for (const c of connections) c.close();
  await lab.closeAll();
});

Deno.test("LinkManager refuses a link to itself and stops dialing its own address", async () => {
  const lab = new Lab();
  const { clock } = lab;
  const [a] = await lab.start(["A", "10.0.0.1"]);
  a.manager.connect("10.0.0.1", PORT, { static: true });
  await runFor(clock, 1_000);
  assert.deepEqual(a.ups, []);
  assert.deepEqual(a.manager.peers(), []);
  await lab.closeAll();
});

Deno.test("LinkManager sees a crashed peer go down and relinks when it comes back", async () => {
  const lab = new Lab();
  const { clock } = lab;
  const [a, b] = await lab.start(
    ["A", "10.0.0.1"],
    ["B", "10.0.0.2"],
  );
  a.manager.connect("10.0.0.2", PORT, { static: true });
  await settle();
  assert.equal(a.ups.length, 1);
  a.manager.forget("B"); // discovery's opinion does not remove a static peer

  await b.manager.close({ graceful: false });
  await settle();
  assert.deepEqual(a.downs.map((p) => p.id), ["B"]);
  await runFor(clock, 1_000); // redials fail meanwhile: nothing listens
  assert.equal(a.manager.peers()[0].state, "backoff");
  assert.match(a.manager.peers()[0].lastError ?? "", /nothing listens on 10.0.0.2:7878/);

  const [b2] = await lab.start(["B", "10.0.0.2"]);
  await runFor(clock, 500); // within the 400 ms backoff cap
  assert.equal(a.ups.length, 2);
  assert.equal(a.manager.peers()[0].state, "up");
  assert.deepEqual(b2.ups.map((p) => p.id), ["A"]);
  await lab.closeAll();
});

Deno.test("LinkManager.forget() stops redialing a node discovery dropped", async () => {
  const lab = new Lab();
  const { clock } = lab;
  const [a, b] = await lab.start(
    ["A", "10.0.0.1"],
    ["B", "10.0.0.2"],
  );
  a.manager.connect("10.0.0.2", PORT, { nodeId: "B" });
  await settle();
  await b.manager.close();
  await settle();
  assert.equal(a.downs.length, 1);
  assert.equal(a.manager.peers()[0].lastError, "peer said bye: node stopping");
  a.manager.forget("B");
  assert.deepEqual(a.manager.peers(), []);
  await lab.start(["B", "10.0.0.2"]);
  await runFor(clock, 1_000);
  assert.equal(a.ups.length, 1, "a forgotten node was redialed");
  await lab.closeAll();
});

Deno.test("LinkManager follows a discovered node to its new address", async () => {
  const lab = new Lab();
  const { clock } = lab;
  const [a, b] = await lab.start(
    ["A", "10.0.0.1"],
    ["B", "10.0.0.2"],
  );
  a.manager.connect("10.0.0.9", PORT, { nodeId: "B" }); // stale address first
  await runFor(clock, 100);
  assert.equal(a.manager.peers()[0].state, "backoff");
  a.manager.connect("10.0.0.2", PORT, { nodeId: "B" });
  await settle();
  assert.equal(a.manager.peers()[0].state, "up");
  assert.equal(a.manager.peers().length, 1);
  assert.deepEqual(b.ups.map((p) => p.id), ["A"]);
  await lab.closeAll();
});

Deno.test("LinkManager refuses a peer of another protocol version", async () => {
  const lab = new Lab();
  const [a, future] = await lab.start(
    ["A", "10.0.0.1"],
    ["Z", "10.0.0.2", { protocolVersion: 99 }],
  );
  future.manager.connect("10.0.0.1", PORT, { static: true });
  await settle();
  assert.deepEqual(a.ups, []);
  assert.deepEqual(future.ups, []);
  const [row] = future.manager.peers();
  assert.match(
    row.lastError ?? "",
    /protocol version mismatch \(ours (\d+, theirs 99|99, theirs \d+)\): upgrade NeuroMesh/,
  );
  await lab.closeAll();
});

Deno.test("LinkManager.close() says BYE to every peer, which drops it from the table at once", async () => {
  const lab = new Lab();
  const [a, b, c] = await lab.start(
    ["A", "10.0.0.1"],
    ["B", "10.0.0.2"],
    ["C", "10.0.0.3"],
  );
  a.manager.connect("10.0.0.2", PORT, { nodeId: "B" });
  a.manager.connect("10.0.0.3", PORT, { nodeId: "C" });
  await settle();
  await a.manager.close();
  await settle();
  for (const node of [b, c]) {
    assert.deepEqual(node.downs.map((p) => p.id), ["A"]);
    // Nothing on B or C wants A (it dialed them): gone, not lingering as lost.
    assert.deepEqual(node.manager.peers(), []);
  }
  // A peer that is still wanted (A dialed it) stays in the table as lost after its BYE.
  const d = (await lab.start(["D", "10.0.0.4"]))[0];
  b.manager.connect("10.0.0.4", PORT, { nodeId: "D" });
  await settle();
  await d.manager.close();
  await settle();
  const row = b.manager.peers().find((p) => p.id === "D");
  assert.equal(row?.lastError, "peer said bye: node stopping");
  assert.notEqual(row?.state, "up");
  await lab.closeAll();
});

Deno.test("LinkManager reports peer-table changes and an unreachable static peer's state", async () => {
  const lab = new Lab();
  const [a] = await lab.start(["A", "10.0.0.1"]);
  let changes = 0;
  a.manager.onPeersChanged(() => changes++);
  a.manager.connect("10.0.0.7", 9000, { static: true });
  await settle();
  const [row] = a.manager.peers();
  assert.equal(row.id, null);
  assert.equal(row.address, "10.0.0.7");
  assert.equal(row.peerPort, 9000);
  assert.equal(row.state, "backoff");
  assert.ok(changes >= 2, `only ${changes} change notifications`);
  await lab.closeAll();
});

/** Plays node "A" by hand against a real manager "B": HELOs, BYEs and dial order under control. */
async function duplicateScenario(lab: Lab) {
  const { net } = lab;
  // B dials although its id is the higher one: both sides dialing is the case under test.
  const [b] = await lab.start(["B", "10.0.0.2", { dialDeferMs: 0 }]);
  const asA = net.transport("10.0.0.1");
  const accepted: Connection[] = [];
  const listener = await asA.listen("10.0.0.1", PORT, (c) => accepted.push(c));
  const hello = (nonce: string) =>
    encodeMessage("HELO:", {
      nodeId: "A",
      name: "node A",
      protocolVersion: PROTOCOL_VERSION,
      appVersion: "test",
      peerPort: PORT,
      httpPort: 8080,
      hasLlm: false,
      nonce,
    });
  // B dials A: connection "dialedByB", which goes up first on B's side.
  b.manager.connect("10.0.0.1", PORT, { nodeId: "A" });
  await settle();
  const dialedByB = accepted[0];
  await dialedByB.write(hello("n1"));
  await settle();
  assert.equal(b.ups.length, 1);
  listener.close();
  return { b, asA, dialedByB, hello };
}

Deno.test("LinkManager swaps silently when the peer drops our link as a duplicate of its own dial", async () => {
  const lab = new Lab();
  const { clock } = lab;
  const { b, asA, dialedByB, hello } = await duplicateScenario(lab);
  // A (lower id) prefers its own dial: it says BYE on B's connection before its HELO arrives.
  await dialedByB.write(encodeMessage("BYE!:", { reason: "duplicate link" }));
  await settle();
  assert.equal(b.downs.length, 0, "a duplicate BYE must not report the node down at once");
  assert.equal(b.manager.peers()[0].state, "up");
  const dialedByA = await asA.dial("10.0.0.2", PORT);
  await dialedByA.write(hello("n2"));
  await runFor(clock, 400); // past the grace period, within the silence timeout
  // Link-up again for the replacement: handlers greet the peer again.
  assert.deepEqual(b.ups.map((peer) => peer.id), ["A", "A"]);
  assert.equal(b.downs.length, 0);
  assert.equal(b.manager.peers()[0].direction, "in");
  assert.equal(b.manager.send("A", "NOOP:", {}), true);
  dialedByA.close();
  dialedByB.close();
  await lab.closeAll();
});

Deno.test("LinkManager reports the node down when no replacement follows a duplicate BYE", async () => {
  const lab = new Lab();
  const { clock } = lab;
  const { b, dialedByB } = await duplicateScenario(lab);
  await dialedByB.write(encodeMessage("BYE!:", { reason: "duplicate link" }));
  await settle();
  assert.equal(b.downs.length, 0);
  await runFor(clock, 310); // the grace period is the handshake timeout (300 ms here)
  assert.deepEqual(b.downs.map((p) => p.id), ["A"]);
  dialedByB.close();
  await lab.closeAll();
});

Deno.test("LinkManager still dispatches frames the peer sent on a link it closed as a duplicate", async () => {
  const lab = new Lab();
  const { b, asA, dialedByB, hello } = await duplicateScenario(lab);
  const got: string[] = [];
  b.manager.on("NOOP:", (from, payload) => got.push(`${from.id}:${payload.pad}`));
  // A dials too; its connection (dialed by the lower id) wins, so B retires its own dial.
  const dialedByA = await asA.dial("10.0.0.2", PORT);
  await dialedByA.write(hello("n2"));
  await settle();
  assert.equal(b.manager.peers()[0].direction, "in");
  // A has not read B's BYE yet and still sends on the old connection.
  await dialedByB.write(encodeMessage("NOOP:", { pad: "late 1" }));
  await dialedByB.write(encodeMessage("NOOP:", { pad: "late 2" }));
  await dialedByA.write(encodeMessage("NOOP:", { pad: "new link" }));
  await settle();
  assert.deepEqual(got, ["A:late 1", "A:late 2", "A:new link"]);
  assert.equal(b.downs.length, 0);
  // B said BYE on the old connection after its last frames; A closes it, as it does on a BYE.
  let seenByA = "";
  for (let chunk = await dialedByB.read(); chunk; chunk = await dialedByB.read()) {
    seenByA += new TextDecoder().decode(chunk);
    if (seenByA.includes("duplicate link")) break;
  }
  assert.match(seenByA, /BYE!:.*duplicate link/s);
  dialedByB.close();
  dialedByA.close();
  await lab.closeAll();
});
