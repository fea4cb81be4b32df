import assert from "node:assert/strict";
import type { LlmCapability } from "../wire/messages/llm.ts";
import { HostTable } from "./host_table.ts";

const peer = { id: "p1", name: "one", address: "10.0.0.1" };
const cap = (overrides: Partial<LlmCapability> = {}): LlmCapability => ({
  available: true,
  serving: true,
  models: [{ name: "m:1b", size: 10 }],
  inFlight: 0,
  capacity: 2,
  queued: 0,
  queueLimit: 8,
  tokensPerSecond: 0,
  ...overrides,
});

Deno.test("HostTable.setCapability() reports a change only when the offer changes", () => {
  const table = new HostTable(() => 0);
  assert.equal(table.setCapability(peer, cap()), true);
  assert.equal(table.setCapability(peer, cap({ inFlight: 2 })), false);
  assert.equal(table.setCapability(peer, cap({ models: [{ name: "m:8b", size: 80 }] })), true);
  assert.equal(table.setCapability(peer, cap({ serving: false })), true);
});

Deno.test("HostTable.candidates() lists only serving, available hosts with models", () => {
  const table = new HostTable(() => 0);
  table.setCapability(peer, cap());
  table.setCapability({ ...peer, id: "p2" }, cap({ serving: false }));
  table.setCapability({ ...peer, id: "p3" }, cap({ available: false }));
  table.setCapability({ ...peer, id: "p4" }, cap({ models: [] }));
  assert.deepEqual(table.candidates().map((c) => c.id), ["p1"]);
});

Deno.test("HostTable counts this node's own open streams before the host reports them", () => {
  const table = new HostTable(() => 0);
  table.setCapability(peer, cap());
  for (let i = 0; i < 3; i++) table.adjustOpen("p1", 1);
  const [candidate] = table.candidates();
  assert.equal(candidate.inFlight, 2);
  assert.equal(candidate.queued, 1);
  table.setCapability(peer, cap({ inFlight: 2, queued: 4 }));
  assert.equal(table.candidates()[0].queued, 4);
});

Deno.test("HostTable keeps a latency moving average and health with expiry", () => {
  let now = 0;
  const table = new HostTable(() => now, { latencyAlpha: 0.5, unhealthyMs: 1_000 });
  table.setCapability(peer, cap());
  table.recordLatency("p1", 100);
  table.recordLatency("p1", 50);
  assert.equal(table.candidates()[0].latencyMs, 75);
  table.recordFailure("p1", "boom");
  assert.equal(table.candidates()[0].healthy, false);
  assert.equal(table.statuses()[0].lastError, "boom");
  now = 1_000;
  assert.equal(table.candidates()[0].healthy, true);
  table.recordFailure("p1", "again");
  table.recordSuccess("p1");
  assert.equal(table.statuses()[0].healthy, true);
  assert.equal(table.statuses()[0].consecutiveFailures, 0);
});

Deno.test("HostTable caches access answers until their ttl and hides refusing hosts", () => {
  let now = 0;
  const table = new HostTable(() => now);
  table.setCapability(peer, cap());
  table.setAccess("p1", false, 500, "blocked", "no");
  assert.deepEqual(table.accessOf("p1"), { state: "refused", reason: "blocked", message: "no" });
  assert.deepEqual(table.candidates(), []);
  now = 500;
  assert.deepEqual(table.accessOf("p1"), { state: "unknown" });
  assert.equal(table.candidates().length, 1);
});

Deno.test("HostTable.remove() forgets the peer (link down)", () => {
  const table = new HostTable(() => 0);
  table.setCapability(peer, cap());
  assert.equal(table.remove("p1"), true);
  assert.equal(table.has("p1"), false);
  assert.equal(table.remove("p1"), false);
});
