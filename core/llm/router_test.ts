import assert from "node:assert/strict";
import {
  chooseModel,
  type HostCandidate,
  normalizeModel,
  route,
  type RouteDecision,
  sameModel,
} from "./router.ts";

function host(id: string, overrides: Partial<HostCandidate> = {}): HostCandidate {
  return {
    id,
    name: `name-${id}`,
    local: false,
    models: [{ name: "llama3.2:latest", size: 2_000 }],
    inFlight: 0,
    queued: 0,
    capacity: 2,
    queueLimit: 4,
    healthy: true,
    ...overrides,
  };
}

function served(
  decision: RouteDecision,
): { id: string; reason: string; model: string; wait: boolean } {
  assert.equal(decision.kind, "serve", `expected serve, got ${JSON.stringify(decision)}`);
  if (decision.kind !== "serve") throw new Error("unreachable");
  return {
    id: decision.host.id,
    reason: decision.reason,
    model: decision.model,
    wait: decision.wait,
  };
}

Deno.test("normalizeModel() adds :latest only when the name has no tag", () => {
  assert.equal(normalizeModel("llama3"), "llama3:latest");
  assert.equal(normalizeModel("llama3:8b"), "llama3:8b");
  assert.equal(normalizeModel("hf.co/org/model"), "hf.co/org/model:latest");
  assert.equal(normalizeModel("registry:5000/org/model"), "registry:5000/org/model:latest");
  assert.ok(sameModel("llama3.2", "llama3.2:latest"));
  assert.ok(!sameModel("llama3.2:1b", "llama3.2:latest"));
});

Deno.test("route() picks the local backend first when it has the model and a free slot", () => {
  const decision = route({
    model: "llama3.2",
    candidates: [host("remote"), host("local", { local: true, inFlight: 1 })],
  });
  assert.deepEqual(served(decision), {
    id: "local",
    reason: "local",
    model: "llama3.2:latest",
    wait: false,
  });
});

Deno.test("route() goes remote when the local backend is full and a remote has room", () => {
  const decision = route({
    model: "llama3.2:latest",
    candidates: [host("local", { local: true, inFlight: 2 }), host("b", { inFlight: 1 })],
  });
  assert.deepEqual(served(decision), {
    id: "b",
    reason: "least_loaded",
    model: "llama3.2:latest",
    wait: false,
  });
});

Deno.test("route() ranks remotes by load/capacity, then latency, then id", () => {
  const byRatio = route({
    candidates: [host("a", { inFlight: 1, capacity: 2 }), host("b", { inFlight: 1, capacity: 4 })],
    model: "llama3.2",
  });
  assert.equal(served(byRatio).id, "b");
  const byLatency = route({
    model: "llama3.2",
    candidates: [host("a", { latencyMs: 30 }), host("b", { latencyMs: 10 })],
  });
  assert.equal(served(byLatency).id, "b");
  const unmeasuredFirst = route({
    model: "llama3.2",
    candidates: [host("a", { latencyMs: 30 }), host("b", { latencyMs: 10 }), host("c")],
  });
  assert.equal(served(unmeasuredFirst).id, "c");
  const byId = route({ model: "llama3.2", candidates: [host("zz"), host("aa"), host("mm")] });
  assert.equal(served(byId).id, "aa");
});

Deno.test("route() counts queued requests as load", () => {
  const decision = route({
    model: "llama3.2",
    candidates: [host("a", { inFlight: 0, queued: 1 }), host("b", { latencyMs: 99 })],
  });
  assert.equal(served(decision).id, "b");
});

Deno.test("route() filters by model and answers no_host naming what the mesh offers", () => {
  const candidates = [host("a", { models: [{ name: "qwen3:8b", size: 5 }] }), host("b")];
  assert.equal(served(route({ model: "qwen3:8b", candidates })).id, "a");
  const missing = route({ model: "mistral", candidates });
  assert.equal(missing.kind, "no_host");
  assert.match(
    missing.kind === "no_host" ? missing.message : "",
    /model "mistral" is not available.*llama3\.2:latest, qwen3:8b/,
  );
});

Deno.test("route() with no candidates at all says no host is reachable", () => {
  const decision = route({ model: "llama3.2", candidates: [] });
  assert.equal(decision.kind, "no_host");
  assert.match(
    decision.kind === "no_host" ? decision.message : "",
    /not available on the mesh; no host/,
  );
  const unnamed = route({ candidates: [] });
  assert.match(unnamed.kind === "no_host" ? unnamed.message : "", /no LLM host is reachable/);
});

Deno.test("route() honours the preferred host while it is healthy and has the model, even when full", () => {
  const candidates = [host("local", { local: true }), host("pref", { inFlight: 2 })];
  assert.deepEqual(served(route({ model: "llama3.2", candidates, preferredHost: "pref" })), {
    id: "pref",
    reason: "preferred",
    model: "llama3.2:latest",
    wait: true,
  });
  const unhealthy = [host("local", { local: true }), host("pref", { healthy: false })];
  assert.equal(
    served(route({ model: "llama3.2", candidates: unhealthy, preferredHost: "pref" })).id,
    "local",
  );
  const lacksModel = [host("local", { local: true }), host("pref", { models: [] })];
  assert.equal(
    served(route({ model: "llama3.2", candidates: lacksModel, preferredHost: "pref" })).id,
    "local",
  );
});

Deno.test("route() keeps conversation affinity unless that host is overloaded or unhealthy", () => {
  const candidates = [host("local", { local: true }), host("prev", { inFlight: 1 })];
  assert.equal(
    served(route({ model: "llama3.2", candidates, affinityHost: "prev" })).reason,
    "affinity",
  );
  const full = [host("local", { local: true }), host("prev", { inFlight: 2 })];
  assert.equal(
    served(route({ model: "llama3.2", candidates: full, affinityHost: "prev" })).id,
    "local",
  );
  const sick = [host("local", { local: true }), host("prev", { healthy: false })];
  assert.equal(
    served(route({ model: "llama3.2", candidates: sick, affinityHost: "prev" })).id,
    "local",
  );
});

Deno.test("route() preference beats affinity", () => {
  const decision = route({
    model: "llama3.2",
    candidates: [host("a"), host("b")],
    preferredHost: "b",
    affinityHost: "a",
  });
  assert.equal(served(decision).id, "b");
});

Deno.test("route() skips excluded hosts in order, then reports every host failed", () => {
  const candidates = [
    host("a", { latencyMs: 20 }),
    host("b", { latencyMs: 5 }),
    host("c", { latencyMs: 9 }),
  ];
  const order: string[] = [];
  const exclude = new Set<string>();
  for (let i = 0; i < 3; i++) {
    const id = served(route({ model: "llama3.2", candidates, exclude })).id;
    order.push(id);
    exclude.add(id);
  }
  assert.deepEqual(order, ["b", "c", "a"]);
  const none = route({ model: "llama3.2", candidates, exclude });
  assert.equal(none.kind, "no_host");
  assert.match(
    none.kind === "no_host" ? none.message : "",
    /every host of model "llama3.2" failed/,
  );
});

Deno.test("route() uses unhealthy hosts only when no healthy one has the model", () => {
  const decision = route({
    model: "llama3.2",
    candidates: [host("a", { healthy: false }), host("b")],
  });
  assert.equal(served(decision).id, "b");
  const onlySick = route({ model: "llama3.2", candidates: [host("a", { healthy: false })] });
  assert.equal(served(onlySick).id, "a");
});

Deno.test("route() queues on the least loaded host when all are full, local first on ties", () => {
  const candidates = [
    host("a", { inFlight: 2, queued: 1 }),
    host("local", { local: true, inFlight: 2 }),
    host("b", { inFlight: 2 }),
  ];
  assert.deepEqual(served(route({ model: "llama3.2", candidates })), {
    id: "local",
    reason: "queued",
    model: "llama3.2:latest",
    wait: true,
  });
});

Deno.test("route() answers busy when every slot and queue is full", () => {
  const candidates = [
    host("a", { inFlight: 2, queued: 4 }),
    host("b", { inFlight: 2, queueLimit: 0 }),
  ];
  const decision = route({ model: "llama3.2", candidates });
  assert.equal(decision.kind, "busy");
  assert.match(
    decision.kind === "busy" ? decision.message : "",
    /all 2 host\(s\) of model "llama3.2" are busy/,
  );
});

Deno.test("route() without a model picks the most widely offered one, then the largest", () => {
  const candidates = [
    host("a", { models: [{ name: "big:70b", size: 40_000 }, { name: "small:1b", size: 1_000 }] }),
    host("b", { models: [{ name: "small:1b", size: 1_000 }] }),
  ];
  assert.equal(chooseModel(candidates), "small:1b");
  assert.equal(served(route({ candidates })).model, "small:1b");
  const tie = [host("a", { models: [{ name: "x:1b", size: 1 }, { name: "y:8b", size: 8 }] })];
  assert.equal(chooseModel(tie), "y:8b");
});

Deno.test("route() ignores hosts with zero capacity (not serving)", () => {
  const decision = route({ model: "llama3.2", candidates: [host("a", { capacity: 0 })] });
  assert.equal(decision.kind, "no_host");
});
