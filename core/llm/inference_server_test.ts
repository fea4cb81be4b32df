import assert from "node:assert/strict";
import { waitUntil } from "../../tests/support/llm_mesh.ts";
import { silentLogger } from "../log/logger.ts";
import { systemClock } from "../time/clock.ts";
import { MemoryMesh } from "../peers/testing/memory_mesh.ts";
import type { Marker } from "../wire/messages/index.ts";
import { AccessControl, type AccessPolicy } from "./access_control.ts";
import type { BackendChatRequest, BackendChunk, LlmBackend } from "./backend.ts";
import { BackendMonitor } from "./backend_monitor.ts";
import { InferenceServer } from "./inference_server.ts";
import { LocalEngine } from "./local_engine.ts";
import { SlotPool } from "./slot_pool.ts";

const MODEL = "tinyllama:1.1b";
const OPEN: AccessPolicy = { serveLlm: true, allowCidr: [], blockCidr: [], rateLimit: 100 };

/** A backend that streams its pieces, or holds after the first one until aborted. */
class PiecesBackend implements LlmBackend {
  readonly description = "pieces";
  aborted = 0;
  constructor(private readonly pieces: string[], private readonly hold = false) {}
  listModels() {
    return Promise.resolve([{ name: MODEL, size: 1 }]);
  }
  version() {
    return Promise.resolve("1");
  }
  async *chat(_request: BackendChatRequest, signal: AbortSignal): AsyncIterable<BackendChunk> {
    for (const content of this.pieces) {
      yield { content, done: false };
      if (this.hold) {
        await new Promise((_, reject) =>
          signal.addEventListener("abort", () => {
            this.aborted++;
            reject(signal.reason);
          }, { once: true })
        );
      }
    }
    yield {
      content: "",
      done: true,
      doneReason: "stop",
      stats: { evalCount: this.pieces.length, evalDurationNs: -5, promptEvalCount: 2.6 },
    };
  }
}

/** A host serving `backend` and a linked client that records every frame it gets back. */
async function hostAndClient(backend: LlmBackend, policy = OPEN, capacity = 2) {
  const mesh = new MemoryMesh();
  const hostBus = mesh.node("HOST");
  const client = mesh.node("CLIENT");
  mesh.linkAll();
  const monitor = new BackendMonitor({ backend, clock: systemClock, logger: silentLogger });
  await monitor.start();
  const slots = new SlotPool(capacity, 0, systemClock);
  const access = new AccessControl(policy, () => systemClock.now());
  const server = new InferenceServer({
    bus: hostBus,
    engine: new LocalEngine(monitor, slots, systemClock),
    access,
    clock: systemClock,
    logger: silentLogger,
    flushMs: 0,
  });
  const frames: { marker: Marker; payload: Record<string, unknown> }[] = [];
  for (const marker of ["LRES:", "TOKN:", "IEND:", "IERR:"] as const) {
    client.on(marker, (_peer, payload) => frames.push({ marker, payload }));
  }
  const ask = (streamId: string, model = MODEL) =>
    client.send("HOST", "INFR:", { streamId, model, messages: [{ role: "user", content: "hi" }] });
  const of = (marker: Marker) => frames.filter((f) => f.marker === marker).map((f) => f.payload);
  return {
    mesh,
    client,
    server,
    access,
    ask,
    of,
    [Symbol.dispose]() {
      server.close();
      monitor.close();
      slots.close();
    },
  };
}

Deno.test("InferenceServer answers access requests: a grant to reuse, or a refusal to respect", async () => {
  using open = await hostAndClient(new PiecesBackend(["x"]));
  open.client.send("HOST", "LREQ:", { requestId: "r1", model: MODEL });
  await waitUntil(() => open.of("LRES:").length === 1, 1_000, "LRES");
  assert.deepEqual(open.of("LRES:")[0], { requestId: "r1", granted: true, ttlMs: 300_000 });

  using closed = await hostAndClient(new PiecesBackend(["x"]), { ...OPEN, serveLlm: false });
  closed.client.send("HOST", "LREQ:", { requestId: "r2" });
  await waitUntil(() => closed.of("LRES:").length === 1, 1_000, "LRES");
  const refusal = closed.of("LRES:")[0];
  assert.equal(refusal.granted, false);
  assert.equal(refusal.reason, "not_serving");
  assert.equal(refusal.ttlMs, 30_000);
});

Deno.test("InferenceServer streams the answer as TOKN frames, then IEND with clean stats", async () => {
  using host = await hostAndClient(new PiecesBackend(["Hel", "lo", "!"]));
  host.ask("s1");
  await waitUntil(() => host.of("IEND:").length === 1, 1_000, "IEND");
  assert.equal(host.of("TOKN:").map((t) => t.content).join(""), "Hello!");
  const end = host.of("IEND:")[0];
  assert.equal(end.model, MODEL);
  assert.equal(end.seq, host.of("TOKN:").length);
  assert.deepEqual(end.stats, { evalCount: 3, promptEvalCount: 3 }, "negative dropped, rounded");
  const [counters] = host.access.counters();
  assert.equal(counters.granted, 1);
  assert.equal(counters.inFlight, 0);
  assert.equal(host.server.activeStreams, 0);
});

Deno.test("InferenceServer refuses a model it does not have, and a full host, without starting", async () => {
  using host = await hostAndClient(new PiecesBackend(["a"], true), OPEN, 1);
  host.ask("s1", "missing:1b");
  await waitUntil(() => host.of("IERR:").length === 1, 1_000, "IERR no_model");
  assert.deepEqual(
    [host.of("IERR:")[0].code, host.of("IERR:")[0].started],
    ["no_model", false],
  );
  host.ask("s2");
  await waitUntil(() => host.of("TOKN:").length === 1, 1_000, "the first stream to run");
  host.ask("s3");
  await waitUntil(() => host.of("IERR:").length === 2, 1_000, "IERR busy");
  assert.deepEqual(
    [host.of("IERR:")[1].streamId, host.of("IERR:")[1].code, host.of("IERR:")[1].started],
    ["s3", "busy", false],
  );
  host.ask("s2");
  await waitUntil(() => host.of("IERR:").length === 3, 1_000, "IERR duplicate stream id");
  assert.equal(host.of("IERR:")[2].code, "bad_request");
});

Deno.test("InferenceServer stops the backend on ICAN, on link loss, and when it closes", async () => {
  const backend = new PiecesBackend(["a", "b"], true);
  using host = await hostAndClient(backend, OPEN, 4);
  host.ask("s1");
  host.ask("s2");
  await waitUntil(() => host.of("TOKN:").length === 2, 1_000, "both streams to start");
  host.client.send("HOST", "ICAN:", { streamId: "s1", reason: "user stopped" });
  await waitUntil(() => backend.aborted === 1, 1_000, "s1's backend call to stop");
  host.mesh.unlink("HOST", "CLIENT");
  await waitUntil(() => backend.aborted === 2, 1_000, "s2's backend call to stop");
  await waitUntil(() => host.server.activeStreams === 0, 1_000, "no stream left");
  assert.equal(host.of("IEND:").length, 0);
  assert.equal(host.of("IERR:").length, 0, "a cancelled stream is not reported as failed");

  host.mesh.link("HOST", "CLIENT");
  host.ask("s3");
  await waitUntil(() => host.of("TOKN:").length === 3, 1_000, "s3 to start");
  host.server.close();
  await waitUntil(() => backend.aborted === 3, 1_000, "closing stops s3");
  host.ask("s4");
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(host.of("IERR:").length, 0, "a closed server no longer listens");
});
