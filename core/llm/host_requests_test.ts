import assert from "node:assert/strict";
import { MemoryMesh } from "../peers/testing/memory_mesh.ts";
import type { PeerRef } from "../peers/bus.ts";
import type { Refusal } from "./access_control.ts";
import { BackendError } from "./backend.ts";
import {
  failureCode,
  failureRefusal,
  HostRequests,
  type ServedModels,
  wireRefusal,
} from "./host_requests.ts";
import { BusyError } from "./slot_pool.ts";

const P: PeerRef = { id: "P", name: "peer", address: "10.0.0.2" };
const Q: PeerRef = { id: "Q", name: "other", address: "10.0.0.3" };

function setup(overrides: { refusal?: Refusal; available?: boolean } = {}) {
  const mesh = new MemoryMesh();
  const bus = mesh.node("H");
  mesh.node("P");
  mesh.node("Q");
  mesh.linkAll();
  const refused: string[] = [];
  const engine: ServedModels = {
    findModel: (model) => (model === "llama3.2" ? "llama3.2:latest" : undefined),
    monitor: { state: { available: overrides.available ?? true, lastError: "connection refused" } },
  };
  const requests = new HostRequests({
    bus,
    engine,
    access: {
      admitRequest: () => overrides.refusal,
      recordRefusal: (_peer, code) => void refused.push(code),
    },
    idName: "stream id",
  });
  return { mesh, requests, refused };
}

Deno.test("HostRequests.admit() lets a request in with the host's model name, or says why not", () => {
  const table: [string, Parameters<typeof setup>[0], string, string | RegExp][] = [
    ["a model the host has", {}, "llama3.2", "llama3.2:latest"],
    ["a model it lacks", {}, "mistral", /no_model: model "mistral" is not installed/],
    ["the backend down", { available: false }, "llama3.2", /no_model: .*down: connection refused/],
    [
      "the peer's access refused",
      { refusal: { code: "rate_limited", message: "slow down" } },
      "llama3.2",
      /rate_limited: slow down/,
    ],
  ];
  for (const [what, options, model, expected] of table) {
    const { requests } = setup(options);
    const admission = requests.admit(P, "s1", model);
    const said = admission.ok
      ? admission.model
      : `${admission.refusal.code}: ${admission.refusal.message}`;
    if (typeof expected === "string") assert.equal(said, expected, what);
    else assert.match(said, expected, what);
  }
});

Deno.test("HostRequests refuses an id in use until its request ends, and counts the running", () => {
  const { requests, refused } = setup();
  const first = requests.admit(P, "s1", "llama3.2");
  assert.ok(first.ok);
  const again = requests.admit(P, "s1", "llama3.2");
  assert.deepEqual(!again.ok && again.refusal, {
    code: "bad_request",
    message: "stream id s1 is already in use",
  });
  assert.ok(requests.admit(Q, "s1", "llama3.2").ok, "ids are per peer");
  assert.equal(requests.active, 2);
  first.end();
  assert.ok(requests.admit(P, "s1", "llama3.2").ok);
  assert.deepEqual(refused, [], "only a missing model is recorded here (access records its own)");
});

Deno.test("HostRequests aborts one request, a peer's on link loss, and all on close", () => {
  const { mesh, requests } = setup();
  const signals = ["a", "b"].flatMap((id) =>
    [P, Q].map((peer) => {
      const admission = requests.admit(peer, id, "llama3.2");
      assert.ok(admission.ok);
      return admission.signal;
    })
  );
  const [pa, qa, pb, qb] = signals;
  requests.cancel("P", "a", "cancelled by the client");
  assert.deepEqual(signals.map((s) => s.aborted), [true, false, false, false]);
  assert.equal((pa.reason as Error).message, "cancelled by the client");
  mesh.unlink("H", "Q");
  assert.deepEqual(signals.map((s) => s.aborted), [true, true, false, true]);
  assert.equal((qa.reason as Error).message, "link down");
  requests.close();
  assert.ok(pb.aborted && qb.aborted);
  assert.equal((pb.reason as Error).message, "host shutting down");
  const late = requests.admit(P, "c", "llama3.2");
  assert.deepEqual(!late.ok && late.refusal.code, "shutting_down");
});

Deno.test("failureRefusal() names the code of a failure and keeps a busy host's wait", () => {
  const table: [string, unknown, string][] = [
    ["busy", new BusyError("queue full", 1500), "busy"],
    ["unknown model", new BackendError("not found", 404), "no_model"],
    ["bad request", new BackendError("cannot embed", 400), "bad_request"],
    ["backend broke", new BackendError("exit status 2", 500), "upstream"],
    ["anything else", new Error("socket closed"), "upstream"],
  ];
  for (const [what, error, code] of table) assert.equal(failureCode(error), code, what);
  assert.deepEqual(failureRefusal(new BusyError("queue full", 1500)), {
    code: "busy",
    message: "queue full",
    retryAfterMs: 1500,
  });
});

Deno.test("wireRefusal() cuts the message to 2,048 characters and rounds the wait up", () => {
  const wire = wireRefusal({ code: "busy", message: "x".repeat(3000), retryAfterMs: 10.2 });
  assert.equal(wire.message.length, 2048);
  assert.equal(wire.retryAfterMs, 11);
  assert.equal(wireRefusal({ code: "upstream", message: "m" }).retryAfterMs, undefined);
});
