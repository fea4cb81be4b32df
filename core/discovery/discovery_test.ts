import assert from "node:assert/strict";
import { CidrSet } from "../net/cidr.ts";
import { FakeClock } from "../time/clock.ts";
import { createAnnouncement, decodeAnnouncement, encodeAnnouncement } from "./announcement.ts";
import type { DatagramTransport } from "./datagram_transport.ts";
import { Discovery, type DiscoveryOptions, type DiscoverySettings } from "./discovery.ts";
import { MemoryDatagramHub } from "./testing/memory_datagram.ts";

const PORT = 5000;
const BROADCAST = "10.0.0.255";
const text = new TextEncoder();

/** A node's live settings and LLM state, changed by tests. */
type Own = DiscoverySettings & { hasLlm: boolean };

interface TestNode {
  discovery: Discovery;
  events: string[];
  own: Own;
}

/** A LAN of Discovery instances on fake time. Every test stops its nodes (fake timers cleared). */
class Lan {
  readonly hub = new MemoryDatagramHub([BROADCAST]);
  readonly clock = new FakeClock(Date.UTC(2025, 3, 19));
  readonly nodes: TestNode[] = [];

  add(
    id: string,
    address: string,
    options: Partial<DiscoveryOptions> = {},
    own: Partial<Own> = {},
  ): TestNode {
    return this.addOn(this.hub.attach(address, PORT), id, options, own);
  }

  addOn(
    transport: DatagramTransport,
    id: string,
    options: Partial<DiscoveryOptions> = {},
    settings: Partial<Own> = {},
  ) {
    const own: Own = { name: `name-${id}`, hasLlm: false, ...settings };
    const discovery = new Discovery(transport, {
      nodeId: id,
      settings: () => own,
      hasLlm: () => own.hasLlm,
      peerPort: 7878,
      httpPort: 8080,
      targets: [BROADCAST],
      clock: this.clock,
      ...options,
    });
    const events: string[] = [];
    discovery.onNodeSeen((entry, kind) => events.push(`${kind} ${entry.nodeId}`));
    discovery.onNodeLost((entry, reason) => events.push(`lost ${entry.nodeId} ${reason}`));
    const node = { discovery, events, own };
    this.nodes.push(node);
    return node;
  }

  /** Moves fake time in 1 s steps, delivering packets after each, like a real LAN would. */
  async advance(ms: number): Promise<void> {
    for (let left = ms; left > 0; left -= 1000) {
      this.clock.advance(Math.min(1000, left));
      await this.hub.drain();
    }
  }

  /** A and B at 10.0.0.1 and .2, started, and knowing each other. */
  async pair(
    optionsA: Partial<DiscoveryOptions> = {},
    optionsB: Partial<DiscoveryOptions> = {},
  ): Promise<[TestNode, TestNode]> {
    const a = this.add("A", "10.0.0.1", optionsA);
    const b = this.add("B", "10.0.0.2", optionsB);
    await a.discovery.start();
    await b.discovery.start();
    await this.hub.drain();
    return [a, b];
  }

  async stopAll(): Promise<void> {
    for (const node of this.nodes) await node.discovery.stop();
    assert.equal(this.clock.pendingTimers, 0, "a stopped Discovery leaves no timer");
  }
}

/** An ONLINE packet as node `id` would send it. */
function announcementFrom(id: string, lan: Lan): Uint8Array {
  return encodeAnnouncement(createAnnouncement({
    type: "ONLINE",
    nodeId: id,
    name: id,
    hasLlm: false,
    peerPort: 7878,
    httpPort: 8080,
    protocolVersion: 1,
    now: lan.clock.now(),
  }));
}

const ids = (discovery: Discovery) => discovery.nodes().map((n) => n.nodeId).sort();
const packets = (lan: Lan) =>
  lan.hub.sent.map((p) => {
    const a = decodeAnnouncement(p.bytes);
    return `${p.from}>${p.to} ${a?.message_type}${a?.reply ? " reply" : ""}`;
  });

Deno.test("Discovery: two nodes find each other with one answer and no loop", async () => {
  const lan = new Lan();
  const a = lan.add("A", "10.0.0.1");
  const b = lan.add("B", "10.0.0.2");
  await a.discovery.start();
  await lan.hub.drain();
  await b.discovery.start();
  await lan.hub.drain();
  assert.deepEqual(ids(a.discovery), ["B"]);
  assert.deepEqual(ids(b.discovery), ["A"]);
  assert.deepEqual(packets(lan), [
    "10.0.0.1>10.0.0.255 ONLINE",
    "10.0.0.2>10.0.0.255 ONLINE",
    "10.0.0.1>10.0.0.2 ONLINE reply", // A answers the newcomer directly; B does not answer that
  ]);
  assert.deepEqual(a.events, ["new B"]);
  assert.deepEqual(b.events, ["new A"]);
  assert.equal(a.discovery.stats().own, 1, "A heard its own broadcast and ignored it");
  const entry = a.discovery.node("B")!;
  assert.equal(entry.address, "10.0.0.2");
  assert.equal(entry.name, "name-B");
  assert.equal(entry.legacy, false);
  await lan.stopAll();
});

Deno.test("Discovery: a newcomer learns every node before any periodic announcement", async () => {
  const lan = new Lan();
  const others = ["A", "B", "C"].map((id, i) => lan.add(id, `10.0.0.${i + 1}`));
  for (const node of others) await node.discovery.start();
  await lan.hub.drain();
  const sentBefore = lan.hub.sent.length;
  const d = lan.add("D", "10.0.0.4");
  await d.discovery.start();
  await lan.hub.drain(); // no time has passed
  assert.deepEqual(ids(d.discovery), ["A", "B", "C"]);
  for (const node of others) assert.ok(ids(node.discovery).includes("D"));
  // One broadcast from D, one direct answer from each other node.
  assert.equal(lan.hub.sent.length - sentBefore, 4);
  await lan.stopAll();
});

Deno.test("Discovery: at 50 nodes, each node answers another once and a newcomer's 49 answers come at once", async () => {
  const lan = new Lan();
  const nodes = Array.from({ length: 49 }, (_, i) => lan.add(`N${i + 1}`, `10.0.0.${i + 1}`));
  for (const node of nodes) await node.discovery.start(); // all within the same instant
  await lan.hub.drain();
  const replies = () => packets(lan).filter((p) => p.endsWith("reply")).length;
  // Each node answers each other node once, when it first hears it (here everybody hears every
  // start as new), and never an answer: 49 × 48 at most, whatever the order of the starts.
  assert.equal(replies(), 49 * 48);
  const before = { sent: lan.hub.sent.length, replies: replies() };
  const newcomer = lan.add("N50", "10.0.0.50");
  await newcomer.discovery.start();
  await lan.hub.drain(); // no time has passed: found by all, and all of them known
  assert.equal(newcomer.discovery.nodes().length, 49);
  for (const node of nodes) assert.ok(node.discovery.node("N50"));
  assert.equal(lan.hub.sent.length - before.sent, 1 + 49, "one broadcast, one answer from each");
  await lan.advance(90_000); // three announce intervals: refreshes only, nobody answers them
  assert.equal(replies() - before.replies, 49);
  assert.equal(lan.hub.sent.length - before.sent, 50 + 3 * 50);
  await lan.stopAll();
});

Deno.test("Discovery: periodic announcements refresh without answers or events", async () => {
  const lan = new Lan();
  const [a] = await lan.pair({ announceIntervalMs: 30_000 }, { announceIntervalMs: 30_000 });
  const sentBefore = lan.hub.sent.length;
  const seenBefore = a.discovery.node("B")!.lastSeen;
  await lan.advance(90_000);
  assert.equal(lan.hub.sent.length - sentBefore, 6, "3 intervals x 2 broadcasts, no answers");
  assert.equal(a.discovery.node("B")!.lastSeen, seenBefore + 90_000);
  assert.deepEqual(a.events, ["new B"]);
  await lan.stopAll();
});

Deno.test("Discovery: a silent node is lost after the timeout and found again later", async () => {
  const lan = new Lan();
  const [a] = await lan.pair({ peerTimeoutMs: 60_000 }, { peerTimeoutMs: 60_000 });
  lan.hub.setReachable("10.0.0.2", false);
  await lan.advance(60_000);
  assert.deepEqual(ids(a.discovery), ["B"], "exactly the timeout: not lost yet");
  await lan.advance(2_000);
  assert.deepEqual(ids(a.discovery), []);
  assert.deepEqual(a.events, ["new B", "lost B timeout"]);
  lan.hub.setReachable("10.0.0.2", true);
  await lan.advance(30_000); // B's next announcement
  assert.deepEqual(a.events, ["new B", "lost B timeout", "new B"]);
  await lan.stopAll();
});

Deno.test("Discovery: a node hearing its peers on time wakes for expiry only when one falls due", async () => {
  const lan = new Lan();
  let timersSet = 0;
  const counting = {
    now: () => lan.clock.now(),
    setTimeout: (callback: () => void, ms: number) => {
      timersSet++;
      return lan.clock.setTimeout(callback, ms);
    },
    clearTimeout: (handle: unknown) => lan.clock.clearTimeout(handle),
  };
  const [a] = await lan.pair({ clock: counting });
  timersSet = 0;
  await lan.advance(300_000); // B announces every 30 s, so it never falls due
  assert.deepEqual(ids(a.discovery), ["B"]);
  // Ten announcements of its own and an expiry check each time the oldest entry could have
  // fallen due (every 30 to 60 s), not 300 checks, one a second.
  assert.ok(timersSet <= 20, `${timersSet} timers in 300 s`);
  assert.deepEqual(a.events, ["new B"]);
  await lan.stopAll();
});

Deno.test("Discovery: stop() says OFFLINE to the LAN and to each known node", async () => {
  const lan = new Lan();
  const [a, b] = await lan.pair();
  const sentBefore = lan.hub.sent.length;
  await b.discovery.stop();
  await lan.hub.drain();
  assert.deepEqual(packets(lan).slice(sentBefore), [
    "10.0.0.2>10.0.0.255 OFFLINE",
    "10.0.0.2>10.0.0.1 OFFLINE",
  ]);
  assert.deepEqual(a.events, ["new B", "lost B offline"]);
  assert.deepEqual(ids(a.discovery), []);
  await lan.stopAll();
});

Deno.test("Discovery: an original node is known by its address and answered directly", async () => {
  const lan = new Lan();
  const a = lan.add("A", "10.0.0.1");
  await a.discovery.start();
  const original =
    '{"message_type":"ONLINE","has_llm":true,"timestamp":"2025-04-19T10:12:04.929122Z"}';
  lan.hub.inject(text.encode(original), "10.0.0.9", BROADCAST, PORT, 49152);
  await lan.hub.drain();
  const entry = a.discovery.node("legacy:10.0.0.9");
  assert.ok(entry);
  assert.equal(entry.legacy, true);
  assert.equal(entry.hasLlm, true);
  assert.equal(entry.peerPort, 7878);
  const answer = lan.hub.sent.at(-1)!;
  assert.equal(answer.to, "10.0.0.9");
  assert.equal(answer.port, PORT, "answers go to the discovery port, not the source port");
  assert.match(
    new TextDecoder().decode(answer.bytes),
    /^\{"message_type":"ONLINE","has_llm":false,"timestamp":"[^"]+Z","node_id":"A",/,
  );
  await lan.stopAll();
});

Deno.test("Discovery: announce() after a change of LLM or name tells the others at once", async () => {
  const lan = new Lan();
  const [a, b] = await lan.pair();
  const sentBefore = lan.hub.sent.length;
  a.own.hasLlm = true;
  await a.discovery.announce();
  await lan.hub.drain();
  a.own.name = "renamed";
  await a.discovery.announce();
  await lan.hub.drain();
  await a.discovery.announce();
  await lan.hub.drain();
  assert.equal(lan.hub.sent.length - sentBefore, 3);
  assert.deepEqual(
    b.events,
    ["new A", "updated A", "updated A"],
    "an unchanged one only refreshes",
  );
  assert.equal(b.discovery.node("A")!.hasLlm, true);
  assert.equal(b.discovery.node("A")!.name, "renamed");
  await lan.stopAll();
});

Deno.test("Discovery: sources outside the allowed ranges or in the block list are ignored", async () => {
  const lan = new Lan();
  const a = lan.add("A", "10.0.0.1", {}, { blocked: new CidrSet(["10.0.0.66/32"]) });
  await a.discovery.start();
  lan.hub.inject(announcementFrom("PUBLIC", lan), "8.8.8.8", BROADCAST, PORT);
  lan.hub.inject(announcementFrom("BLOCKED", lan), "10.0.0.66", BROADCAST, PORT);
  lan.hub.inject(announcementFrom("MAPPED", lan), "::ffff:10.0.0.7", BROADCAST, PORT);
  await lan.hub.drain();
  assert.deepEqual(ids(a.discovery), ["MAPPED"]);
  assert.equal(a.discovery.node("MAPPED")!.address, "10.0.0.7");
  assert.equal(a.discovery.stats().notAllowed, 2);
  await lan.stopAll();
});

Deno.test("Discovery: garbage packets are counted and ignored", async () => {
  const lan = new Lan();
  const a = lan.add("A", "10.0.0.1");
  await a.discovery.start();
  for (const junk of ["", "hello", "{}", "[1,2]", "x".repeat(5000)]) {
    lan.hub.inject(text.encode(junk), "10.0.0.5", BROADCAST, PORT);
  }
  lan.hub.inject(new Uint8Array([0xff, 0x00, 0x7b]), "10.0.0.5", BROADCAST, PORT);
  await lan.hub.drain();
  assert.deepEqual(ids(a.discovery), []);
  assert.equal(a.discovery.stats().malformed, 6);
  await lan.stopAll();
});

Deno.test("Discovery: a flood of spoofed ids from one source costs little and evicts nobody", async () => {
  const lan = new Lan();
  const [a] = await lan.pair({ perSourceRate: 20 });
  const sentBefore = lan.hub.sent.length;
  const processedBefore = a.discovery.stats().processed;
  for (let i = 0; i < 10_000; i++) {
    lan.hub.inject(announcementFrom(`SPOOF${i}`, lan), "10.0.0.66", "10.0.0.1", PORT);
  }
  await lan.hub.drain();
  const stats = a.discovery.stats();
  assert.equal(stats.processed - processedBefore, 20, "the per-source burst, no more");
  assert.equal(stats.rateLimited, 10_000 - 20);
  assert.ok(ids(a.discovery).includes("B"));
  const answers = lan.hub.sent.slice(sentBefore).filter((p) => p.to === "10.0.0.66");
  assert.ok(answers.length <= 5, `answers to the flooder are capped, got ${answers.length}`);
  await lan.stopAll();
});

Deno.test("Discovery: a flood from many sources is capped globally and evicts nobody", async () => {
  const lan = new Lan();
  const [a] = await lan.pair({ globalRate: 200, maxNodes: 50 });
  for (let i = 0; i < 5_000; i++) {
    const source = `10.1.${Math.floor(i / 250)}.${(i % 250) + 1}`;
    lan.hub.inject(announcementFrom(`SPOOF${i}`, lan), source, "10.0.0.1", PORT);
  }
  await lan.hub.drain();
  const stats = a.discovery.stats();
  assert.ok(stats.processed <= 200, `processed ${stats.processed}`);
  assert.equal(a.discovery.nodes().length, 50, "the table stops at maxNodes");
  assert.ok(ids(a.discovery).includes("B"), "a known node is never evicted");
  await lan.stopAll();
});

Deno.test("Discovery: a throwing listener does not stop discovery or other listeners", async () => {
  const lan = new Lan();
  const a = lan.add("A", "10.0.0.1");
  const b = lan.add("B", "10.0.0.2");
  a.discovery.onNodeSeen(() => {
    throw new Error("listener bug");
  });
  await a.discovery.start();
  await b.discovery.start();
  await lan.hub.drain();
  assert.deepEqual(a.events, ["new B"]);
  assert.deepEqual(ids(b.discovery), ["A"], "A still answered B");
  await lan.stopAll();
});

Deno.test("Discovery: unsubscribing stops events", async () => {
  const lan = new Lan();
  const a = lan.add("A", "10.0.0.1");
  const b = lan.add("B", "10.0.0.2");
  const heard: string[] = [];
  const off = a.discovery.onNodeSeen((entry) => heard.push(entry.nodeId));
  off();
  await a.discovery.start();
  await b.discovery.start();
  await lan.hub.drain();
  assert.deepEqual(heard, []);
  await lan.stopAll();
});

Deno.test("Discovery: targets given as a function are read at every announcement", async () => {
  const lan = new Lan();
  let targets = ["10.0.0.2"];
  const a = lan.add("A", "10.0.0.1", { targets: () => targets, announceIntervalMs: 30_000 });
  await a.discovery.start();
  targets = ["10.0.0.3", "10.0.0.4"];
  await lan.advance(30_000);
  assert.deepEqual(lan.hub.sent.map((p) => p.to), ["10.0.0.2", "10.0.0.3", "10.0.0.4"]);
  await lan.stopAll();
});

Deno.test("Discovery: a failing target does not stop announcements to the others", async () => {
  const lan = new Lan();
  const inner = lan.hub.attach("10.0.0.1", PORT);
  const flaky: DatagramTransport = {
    send: (bytes, host, port) =>
      host === "10.9.9.255"
        ? Promise.reject(new Error("ENETUNREACH"))
        : inner.send(bytes, host, port),
    onMessage: (callback) => inner.onMessage(callback),
    close: () => inner.close(),
  };
  const a = lan.addOn(flaky, "A", { targets: ["10.9.9.255", BROADCAST] });
  await a.discovery.start();
  await lan.hub.drain();
  assert.deepEqual(lan.hub.sent.map((p) => p.to), [BROADCAST]);
  assert.equal(a.discovery.stats().sendErrors, 1);
  await lan.stopAll();
});

Deno.test("Discovery: start() twice throws; stop() is idempotent and works unstarted", async () => {
  const lan = new Lan();
  const a = lan.add("A", "10.0.0.1");
  await a.discovery.start();
  await assert.rejects(() => a.discovery.start(), /Cannot start Discovery: it is running/);
  await a.discovery.stop();
  await a.discovery.stop();
  const b = lan.add("B", "10.0.0.2");
  await b.discovery.stop();
  await lan.hub.drain();
  assert.equal(lan.hub.sent.filter((p) => p.from === "10.0.0.2").length, 0);
  await lan.stopAll();
});

Deno.test("Discovery refuses bad options, quoting the value", () => {
  const hub = new MemoryDatagramHub();
  const base = {
    nodeId: "A",
    settings: () => ({ name: "A" }),
    peerPort: 7878,
    httpPort: 0,
    targets: [],
  };
  assert.throws(
    () => new Discovery(hub.attach("10.0.0.1", PORT), { ...base, discoveryPort: 70000 }),
    /'discoveryPort' must be a port 1-65535: current value is 70000/,
  );
  assert.throws(
    () => new Discovery(hub.attach("10.0.0.1", PORT), { ...base, peerPort: 0 }),
    /'peerPort'/,
  );
  assert.throws(
    () => new Discovery(hub.attach("10.0.0.1", PORT), { ...base, announceIntervalMs: 0 }),
    /'announceIntervalMs' must be a positive number: current value is 0/,
  );
});
