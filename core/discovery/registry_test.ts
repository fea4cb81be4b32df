import assert from "node:assert/strict";
import { type Announcement, createAnnouncement } from "./announcement.ts";
import { NodeRegistry } from "./registry.ts";

const T0 = 1_000_000;

function online(nodeId: string, overrides: Partial<Parameters<typeof createAnnouncement>[0]> = {}) {
  return createAnnouncement({
    type: "ONLINE",
    nodeId,
    name: `name-${nodeId}`,
    hasLlm: false,
    peerPort: 7878,
    httpPort: 8080,
    protocolVersion: 1,
    now: T0,
    ...overrides,
  });
}
const offline = (nodeId: string) => online(nodeId, { type: "OFFLINE" });
const legacyPacket: Announcement = {
  message_type: "ONLINE",
  has_llm: true,
  timestamp: "2025-04-19T10:12:04.929122Z",
};

Deno.test("NodeRegistry.observe() records a new node with every field", () => {
  const registry = new NodeRegistry();
  const { kind, entry } = registry.observe(online("A", { hasLlm: true }), "10.0.0.1", T0);
  assert.equal(kind, "new");
  assert.deepEqual(entry, {
    nodeId: "A",
    name: "name-A",
    address: "10.0.0.1",
    peerPort: 7878,
    httpPort: 8080,
    hasLlm: true,
    legacy: false,
    protocolVersion: 1,
    fingerprint: null,
    instance: null,
    lastSeen: T0,
  });
  assert.deepEqual(registry.list(), [entry]);
  assert.equal(registry.get("A"), entry);
});

Deno.test("NodeRegistry.observe() says refreshed when only the time moved", () => {
  const registry = new NodeRegistry();
  registry.observe(online("A"), "10.0.0.1", T0);
  const { kind, entry } = registry.observe(
    online("A", { now: T0 + 30_000 }),
    "10.0.0.1",
    T0 + 30_000,
  );
  assert.equal(kind, "refreshed");
  assert.equal(entry?.lastSeen, T0 + 30_000);
});

Deno.test("NodeRegistry.observe() says updated when a field changed", () => {
  const changes: Array<[Parameters<typeof online>[1], string]> = [
    [{ hasLlm: true }, "10.0.0.1"],
    [{ name: "other" }, "10.0.0.1"],
    [{ httpPort: 9090 }, "10.0.0.1"],
    [{ peerPort: 7879 }, "10.0.0.1"],
    [{ protocolVersion: 2 }, "10.0.0.1"],
    [{ fingerprint: "fp" }, "10.0.0.1"],
    [{}, "10.0.0.2"],
  ];
  for (const [overrides, address] of changes) {
    const registry = new NodeRegistry();
    registry.observe(online("A"), "10.0.0.1", T0);
    const { kind, entry } = registry.observe(online("A", overrides), address, T0 + 1);
    assert.equal(kind, "updated", JSON.stringify([overrides, address]));
    assert.equal(entry?.address, address);
  }
});

Deno.test("NodeRegistry.observe() removes a node at once when it says OFFLINE", () => {
  const registry = new NodeRegistry();
  const { entry: added } = registry.observe(online("A"), "10.0.0.1", T0);
  const { kind, entry } = registry.observe(offline("A"), "10.0.0.1", T0 + 1);
  assert.equal(kind, "removed");
  assert.deepEqual(entry, added);
  assert.equal(registry.size, 0);
  assert.equal(registry.observe(online("A"), "10.0.0.1", T0 + 2).kind, "new");
});

Deno.test("NodeRegistry.observe() ignores OFFLINE from a node it does not know", () => {
  const registry = new NodeRegistry();
  assert.deepEqual(registry.observe(offline("A"), "10.0.0.1", T0), {
    kind: "ignored",
    entry: null,
  });
  assert.equal(registry.size, 0);
});

Deno.test("NodeRegistry keys an original node by address, with defaults for what it omits", () => {
  const registry = new NodeRegistry();
  const { kind, entry } = registry.observe(legacyPacket, "10.0.0.5", T0);
  assert.equal(kind, "new");
  assert.deepEqual(entry, {
    nodeId: "legacy:10.0.0.5",
    name: "10.0.0.5",
    address: "10.0.0.5",
    peerPort: 7878,
    httpPort: null,
    hasLlm: true,
    legacy: true,
    protocolVersion: null,
    fingerprint: null,
    instance: null,
    lastSeen: T0,
  });
  assert.equal(registry.observe(legacyPacket, "10.0.0.6", T0).kind, "new");
  assert.equal(registry.observe(legacyPacket, "10.0.0.5", T0 + 5).kind, "refreshed");
  assert.equal(
    registry.observe({ ...legacyPacket, has_llm: false }, "10.0.0.5", T0 + 6).kind,
    "updated",
  );
  assert.equal(
    registry.observe({ ...legacyPacket, message_type: "OFFLINE" }, "10.0.0.5", T0 + 7).kind,
    "removed",
  );
  assert.deepEqual(registry.list().map((e) => e.nodeId), ["legacy:10.0.0.6"]);
});

Deno.test("NodeRegistry.expire() removes only nodes silent for longer than the timeout", () => {
  const registry = new NodeRegistry({ timeoutMs: 60_000 });
  registry.observe(online("A"), "10.0.0.1", T0);
  registry.observe(online("B"), "10.0.0.2", T0 + 30_000);
  assert.deepEqual(registry.expire(T0 + 60_000), []); // exactly the timeout: still here
  assert.deepEqual(registry.expire(T0 + 60_001).map((e) => e.nodeId), ["A"]);
  assert.deepEqual(registry.list().map((e) => e.nodeId), ["B"]);
  registry.observe(online("B"), "10.0.0.2", T0 + 80_000); // heard again: timer restarts
  assert.deepEqual(registry.expire(T0 + 130_000), []);
  assert.deepEqual(registry.expire(T0 + 140_001).map((e) => e.nodeId), ["B"]);
  assert.equal(registry.size, 0);
});

Deno.test("NodeRegistry.nextExpiry() is when the longest-silent entry falls due", () => {
  const registry = new NodeRegistry({ timeoutMs: 60_000 });
  assert.equal(registry.nextExpiry(), null);
  registry.observe(online("A"), "10.0.0.1", T0 + 10_000);
  registry.observe(online("B"), "10.0.0.2", T0 + 30_000);
  assert.equal(registry.nextExpiry(), T0 + 70_000);
  registry.observe(online("A"), "10.0.0.1", T0 + 40_000); // A heard again: B is now the oldest
  assert.equal(registry.nextExpiry(), T0 + 90_000);
});

Deno.test("NodeRegistry when full drops unknown ids and keeps every known node", () => {
  const registry = new NodeRegistry({ maxEntries: 3 });
  for (const id of ["A", "B", "C"]) registry.observe(online(id), "10.0.0.1", T0);
  for (let i = 0; i < 1000; i++) {
    assert.deepEqual(registry.observe(online(`spoof${i}`), "10.0.0.66", T0 + 1), {
      kind: "full",
      entry: null,
    });
  }
  assert.deepEqual(registry.list().map((e) => e.nodeId), ["A", "B", "C"]);
  assert.equal(registry.observe(online("B", { hasLlm: true }), "10.0.0.1", T0 + 2).kind, "updated");
  registry.observe(offline("A"), "10.0.0.1", T0 + 3);
  assert.equal(registry.observe(online("D"), "10.0.0.4", T0 + 4).kind, "new");
});

Deno.test("NodeRegistry refuses a bad timeout or size, quoting it", () => {
  assert.throws(
    () => new NodeRegistry({ timeoutMs: 0 }),
    /'timeoutMs' must be positive: current value is 0/,
  );
  assert.throws(() => new NodeRegistry({ maxEntries: 0.5 }), /'maxEntries'.*0\.5/);
});

Deno.test("observe() reports a known node with a new instance id as restarted", () => {
  const registry = new NodeRegistry();
  const first = {
    message_type: "ONLINE" as const,
    has_llm: false,
    timestamp: "2025-04-19T10:12:04.929122Z",
    node_id: "A",
    instance: "one",
  };
  assert.equal(registry.observe(first, "10.0.0.1", 0).kind, "new");
  assert.equal(registry.observe(first, "10.0.0.1", 10).kind, "refreshed");
  assert.equal(registry.observe({ ...first, instance: "two" }, "10.0.0.1", 20).kind, "restarted");
  assert.equal(registry.observe({ ...first, instance: "two" }, "10.0.0.1", 30).kind, "refreshed");
});
