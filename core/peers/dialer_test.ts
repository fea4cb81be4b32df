import assert from "node:assert/strict";
import { silentLogger } from "../log/logger.ts";
import { FakeClock } from "../time/clock.ts";
import { Dialer, type DialerOptions } from "./dialer.ts";
import { Link } from "./link.ts";
import type { LinkDown } from "./link_options.ts";
import { hello } from "./testing/link_fixtures.ts";
import { MemoryNetwork } from "./testing/memory_transport.ts";
import type { Connection, Transport } from "./transport.ts";

/** A Dialer on a memory network, with a host the test steers: which nodes count as linked. */
function setup(options: { selfId?: string; maxConcurrentDials?: number } = {}) {
  const clock = new FakeClock();
  const net = new MemoryNetwork();
  const linked = new Set<string>();
  const started: Link[] = [];
  const stale: string[] = [];
  const dialer = new Dialer({
    selfId: options.selfId ?? "A",
    deferHigherMs: 2_000,
    maxConcurrentDials: options.maxConcurrentDials,
    host: {
      isLinked: (id) => linked.has(id),
      addressAllowed: (address) => !address.startsWith("203."),
      startLink: (connection: Connection) => {
        const link = new Link({ connection, direction: "out", hello: hello("A"), clock });
        started.push(link);
        return link;
      },
      dropStaleLink: (id, host) => stale.push(`${id}@${host}`),
      changed: () => {},
    },
    transport: net.transport("10.0.0.1"),
    clock,
    logger: silentLogger,
    connectTimeoutMs: 200,
    backoff: { baseMs: 100, capMs: 400, random: () => 0.5 },
    stableLinkMs: 1_000,
  });
  const listen = (address: string) => net.transport(address).listen(address, 7878, () => {});
  const states = () => dialer.rows().map((r) => `${r.nodeId ?? r.host}:${r.state}`);
  return { clock, dialer, linked, started, stale, listen, states };
}

/** A Dialer over a transport the test controls, whose connections never become links. */
function dialerOver(
  transport: Transport,
  clock: FakeClock,
  options: Pick<DialerOptions, "connectTimeoutMs"> & Partial<DialerOptions>,
): Dialer {
  return new Dialer({
    selfId: "A",
    host: {
      isLinked: () => false,
      addressAllowed: () => true,
      startLink: () => {
        throw new Error("no connection completes here");
      },
      dropStaleLink: () => {},
      changed: () => {},
    },
    transport,
    clock,
    logger: silentLogger,
    backoff: { baseMs: 100, capMs: 400, random: () => 0.5 },
    stableLinkMs: 1_000,
    ...options,
  });
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));
const down = (extra: Partial<LinkDown> = {}): LinkDown => ({
  reason: "peer silent for 10000 ms",
  cause: "timeout",
  wasUp: true,
  ...extra,
});

Deno.test("Dialer dials a wanted node once and redials with backoff while nothing listens", async () => {
  const t = setup();
  t.dialer.connect("10.0.0.2", 7878, { nodeId: "B", name: "bee" });
  await tick();
  assert.deepEqual(t.states(), ["B:backoff"]);
  assert.match(t.dialer.rows()[0].lastError ?? "", /nothing listens on 10\.0\.0\.2:7878/);
  await t.listen("10.0.0.2");
  t.clock.advance(49); // first delay: 0.5 × 100 ms
  await tick();
  assert.equal(t.started.length, 0);
  t.clock.advance(1);
  await tick();
  assert.equal(t.started.length, 1);
  assert.deepEqual(t.states(), ["B:connecting"]);
  t.dialer.connect("10.0.0.2", 7878, { nodeId: "B" }); // the same announcement again: nothing
  await tick();
  assert.equal(t.started.length, 1);
  t.dialer.close();
});

Deno.test("Dialer stands by while the node is linked and redials when its link ends", async () => {
  const t = setup();
  await t.listen("10.0.0.2");
  t.dialer.connect("10.0.0.2", 7878, { nodeId: "B" });
  await tick();
  const [link] = t.started;
  t.linked.add("B");
  t.dialer.linkUp(link, "B");
  assert.deepEqual(t.states(), ["B:satisfied"]);
  t.linked.delete("B");
  t.dialer.linkDown(link, down(), false); // up only briefly: the backoff goes on
  assert.deepEqual(t.states(), ["B:backoff"]);
  assert.equal(t.dialer.rows()[0].lastError, null, "a link that was up is no dial error");
  t.clock.advance(50);
  await tick();
  assert.equal(t.started.length, 2);
  t.dialer.close();
});

Deno.test("Dialer drops a target whose address turned out to be this node", async () => {
  const t = setup();
  await t.listen("10.0.0.1");
  t.dialer.connect("10.0.0.1", 7878, { static: true });
  await tick();
  t.dialer.linkDown(
    t.started[0],
    down({ reason: "own node id", cause: "local", wasUp: false }),
    true,
  );
  assert.deepEqual(t.dialer.rows(), []);
  assert.equal(t.clock.pendingTimers, 0);
});

Deno.test("Dialer.forget() drops discovered targets, keeps static ones", async () => {
  const t = setup();
  t.dialer.connect("10.0.0.2", 7878, { nodeId: "B" });
  t.dialer.connect("10.0.0.3", 7878, { nodeId: "B", static: true });
  await tick();
  t.dialer.forget("B");
  assert.deepEqual(t.dialer.rows().map((r) => r.host), ["10.0.0.3"]);
  assert.equal(t.dialer.wants("B"), true, "the static peer still wants B");
  t.dialer.close();
  assert.equal(t.clock.pendingTimers, 0);
});

Deno.test("Dialer follows a move while down, keeps the address while linked, redials a restart", async () => {
  const t = setup();
  t.dialer.connect("10.0.0.9", 7878, { nodeId: "B" });
  await tick();
  await t.listen("10.0.0.2");
  t.dialer.connect("10.0.0.2", 7878, { nodeId: "B" }); // moved while down: dialed at once
  await tick();
  assert.equal(t.started.length, 1);
  t.linked.add("B");
  t.dialer.linkUp(t.started[0], "B");
  t.dialer.connect("10.0.0.66", 7878, { nodeId: "B" }); // while linked: kept for the next dial
  assert.equal(t.dialer.rows()[0].host, "10.0.0.66");
  t.dialer.connect("10.0.0.66", 7878, { nodeId: "B", restarted: true });
  assert.deepEqual(t.stale, ["B@10.0.0.66"]);
  t.dialer.close();
});

Deno.test("Dialer refuses a dialed address outside the access lists, as a dial error", async () => {
  const t = setup();
  await t.listen("203.0.113.5");
  t.dialer.connect("203.0.113.5", 7878, { static: true });
  await tick();
  assert.equal(t.started.length, 0);
  assert.equal(t.dialer.rows()[0].lastError, "address 203.0.113.5 is not allowed");
  t.dialer.close();
});

Deno.test("Dialer: of two nodes that find each other, the higher id waits for the lower one's dial", async () => {
  const t = setup({ selfId: "C" });
  await t.listen("10.0.0.2");
  t.dialer.connect("10.0.0.2", 7878, { nodeId: "B" });
  await tick();
  assert.equal(t.started.length, 0, "B (lower) dials; C waits");
  assert.deepEqual(t.states(), ["B:connecting"]);
  t.linked.add("B");
  t.dialer.linkUp(t.started[0] ?? ({} as Link), "B"); // B's inbound link came up
  assert.deepEqual(t.states(), ["B:satisfied"]);
  t.clock.advance(5_000);
  await tick();
  assert.equal(t.started.length, 0, "never dialed: one handshake for the pair");
  assert.equal(t.clock.pendingTimers, 0);
  t.dialer.close();
});

Deno.test("Dialer: the higher id dials after its wait when the lower one never did", async () => {
  const t = setup({ selfId: "C" });
  await t.listen("10.0.0.2");
  await t.listen("10.0.0.4");
  t.dialer.connect("10.0.0.2", 7878, { nodeId: "B" });
  t.dialer.connect("10.0.0.4", 7878, { nodeId: "D" }); // higher than C: dialed at once
  await tick();
  assert.equal(t.started.length, 1);
  t.clock.advance(1_999);
  await tick();
  assert.equal(t.started.length, 1);
  t.clock.advance(1);
  await tick();
  assert.equal(t.started.length, 2);
  t.dialer.close();
});

Deno.test("Dialer keeps at most maxConcurrentDials dials in flight; the rest wait their turn", async () => {
  const clock = new FakeClock();
  // Dials that hang until the test ends them, as TLS handshakes on a busy core do.
  const pending: { host: string; fail: () => void }[] = [];
  const transport: Transport = {
    listen: () => Promise.reject(new Error("not used")),
    dial: (host, _port, signal) =>
      new Promise<Connection>((_resolve, reject) => {
        const fail = () => reject(new Error("refused"));
        signal?.addEventListener("abort", fail, { once: true });
        pending.push({ host, fail });
      }),
  };
  const dialer = dialerOver(transport, clock, { maxConcurrentDials: 2, connectTimeoutMs: 10_000 });
  for (const k of [2, 3, 4, 5]) dialer.connect(`10.0.0.${k}`, 7878, { nodeId: `N${k}` });
  await tick();
  assert.deepEqual(pending.map((p) => p.host), ["10.0.0.2", "10.0.0.3"]);
  pending[0].fail(); // one ends: the longest-waiting one starts
  await tick();
  assert.deepEqual(pending.map((p) => p.host), ["10.0.0.2", "10.0.0.3", "10.0.0.4"]);
  dialer.forget("N5"); // a queued target that is forgotten never dials
  pending[1].fail();
  await tick();
  assert.equal(pending.length, 3);
  dialer.close();
  await tick();
});

Deno.test("Dialer bounds the connect and the secure handshake after it separately", async () => {
  const clock = new FakeClock();
  const transport: Transport = {
    listen: () => Promise.reject(new Error("not used")),
    // Connects at once, then its handshake hangs until the dialer gives up.
    dial: (_host, _port, signal, options) =>
      new Promise<Connection>((_resolve, reject) => {
        options?.onConnected?.();
        signal?.addEventListener("abort", () => reject(new Error("aborted")), { once: true });
      }),
  };
  const dialer = dialerOver(transport, clock, { connectTimeoutMs: 200, secureTimeoutMs: 1_000 });
  dialer.connect("10.0.0.2", 7878, { nodeId: "B" });
  await tick();
  clock.advance(999); // past the connect bound: the handshake still has time
  await tick();
  assert.equal(dialer.rows()[0].state, "connecting");
  clock.advance(1);
  await tick();
  assert.equal(dialer.rows()[0].state, "backoff");
  assert.equal(dialer.rows()[0].lastError, "secure handshake timed out after 1000 ms");
  dialer.close();
});
