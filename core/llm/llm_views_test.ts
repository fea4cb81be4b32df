import assert from "node:assert/strict";
import type { LlmCapability } from "../wire/messages/llm.ts";
import type { HostStatus } from "./host_table.ts";
import {
  capabilityOf,
  localCandidate,
  type LocalSnapshot,
  localStatusOf,
  modelOffers,
  peerSummaryOf,
} from "./llm_views.ts";

const MODEL = { name: "tinyllama:1.1b", size: 1_000 };

const local = (patch: Partial<LocalSnapshot> = {}): LocalSnapshot => ({
  nodeId: "SELF",
  name: "self",
  backend: "ollama http://127.0.0.1:11434",
  state: { available: true, models: [MODEL], version: "0.12.6", checkedAt: 1 },
  serving: true,
  inFlight: 1,
  capacity: 2,
  queued: 0,
  queueLimit: 32,
  tokensPerSecond: 12.5,
  healthy: true,
  ...patch,
});

const capability = (patch: Partial<LlmCapability> = {}): LlmCapability => ({
  available: true,
  serving: true,
  models: [MODEL],
  inFlight: 0,
  capacity: 4,
  queued: 1,
  queueLimit: 8,
  tokensPerSecond: 30,
  ...patch,
});

const host = (patch: Partial<HostStatus> = {}): HostStatus => ({
  nodeId: "PEER",
  name: "peer",
  address: "10.0.0.2",
  capability: capability(),
  updatedAt: 1,
  healthy: true,
  consecutiveFailures: 0,
  open: 0,
  access: "unknown",
  ...patch,
});

Deno.test("capabilityOf() offers models and capacity only while serving and available", () => {
  const table: [string, LocalSnapshot, number, number][] = [
    // [what, snapshot, models announced, capacity announced]
    ["serving and up", local(), 1, 2],
    ["not serving: nothing offered", local({ serving: false }), 0, 0],
    [
      "backend down: no models",
      local({ state: { available: false, models: [MODEL], checkedAt: 1 } }),
      0,
      2,
    ],
  ];
  for (const [what, snapshot, models, capacity] of table) {
    const announced = capabilityOf(snapshot);
    assert.equal(announced.models.length, models, what);
    assert.equal(announced.capacity, capacity, what);
    assert.equal(announced.queueLimit, 32, what);
    assert.equal(announced.tokensPerSecond, 12.5, what);
  }
});

Deno.test("localStatusOf() lists model names, backend and load", () => {
  assert.deepEqual(localStatusOf(local()), {
    nodeId: "SELF",
    name: "self",
    backend: "ollama http://127.0.0.1:11434",
    available: true,
    version: "0.12.6",
    lastError: undefined,
    serving: true,
    models: ["tinyllama:1.1b"],
    inFlight: 1,
    capacity: 2,
    queued: 0,
    queueLimit: 32,
    tokensPerSecond: 12.5,
  });
});

Deno.test("localCandidate() is the local backend while it is up with models, healthy or not", () => {
  assert.equal(
    localCandidate(local({ state: { available: false, models: [], checkedAt: 1 } })),
    null,
  );
  assert.equal(
    localCandidate(local({ state: { available: true, models: [], checkedAt: 1 } })),
    null,
  );
  const candidate = localCandidate(local({ healthy: false }))!;
  assert.equal(candidate.local, true);
  assert.equal(candidate.healthy, false);
  assert.deepEqual(candidate.models, [MODEL]);
});

Deno.test("modelOffers() lists this node first, then peers that serve and do not refuse us", () => {
  const table: [string, LocalSnapshot, HostStatus[], string[]][] = [
    ["both", local(), [host()], ["SELF", "PEER"]],
    ["local down", local({ state: { available: false, models: [], checkedAt: 1 } }), [host()], [
      "PEER",
    ]],
    ["peer without capability yet", local(), [host({ capability: undefined })], ["SELF"]],
    ["peer not serving", local(), [host({ capability: capability({ serving: false }) })], ["SELF"]],
    ["peer refused us", local(), [host({ access: "refused" })], ["SELF"]],
  ];
  for (const [what, snapshot, hosts, ids] of table) {
    assert.deepEqual(modelOffers(snapshot, hosts).map((o) => o.host.nodeId), ids, what);
  }
});

Deno.test("peerSummaryOf() shows what a peer offers and what it asked of this node", () => {
  const counters = {
    peerId: "PEER",
    name: "peer",
    address: "10.0.0.2",
    requests: 3,
    granted: 2,
    refused: 1,
    refusedBy: { rate_limited: 1 },
    accessRequests: 1,
    inFlight: 0,
    queued: 0,
    limited: true,
    lastRequestAt: 5,
  };
  assert.equal(peerSummaryOf(undefined, undefined), null);
  assert.deepEqual(peerSummaryOf(host(), undefined), {
    models: ["tinyllama:1.1b"],
    load: { inFlight: 0, capacity: 4, queued: 1 },
    tokensPerSec: 30,
    access: null,
  });
  assert.deepEqual(
    peerSummaryOf(host({ capability: capability({ serving: false }) }), counters),
    {
      models: [],
      load: null,
      tokensPerSec: null,
      access: { requests: 3, granted: 2, refused: 1, limited: true },
    },
  );
  assert.equal(
    peerSummaryOf(host({ capability: capability({ tokensPerSecond: 0 }) }), undefined)
      ?.tokensPerSec,
    null,
  );
});
