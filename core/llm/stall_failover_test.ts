import assert from "node:assert/strict";
import { expectedAnswer } from "../../tests/ollama_double/answer.ts";
import { collect, FAST_TUNING, TestMesh, waitUntil } from "../../tests/support/llm_mesh.ts";
import type { ChatTurn } from "./chat.ts";

const MODEL = "tinyllama:1.1b";
const ask = (text: string): ChatTurn[] => [{ role: "user", content: text }];
/** Stalls are detected after 300 ms of silence here (5 s by default). */
const TUNING = { ...FAST_TUNING, stall: { minGapMs: 300, minFirstTokenMs: 300 } };
const STALL = { kind: "stall", afterTokens: 6, times: 1 } as const;

Deno.test("a peer host that stalls mid-answer is cancelled there and the answer continues on another", async () => {
  await using fixture = await TestMesh.create([
    { id: "a", double: { models: [MODEL], tokenLatencyMs: 2, fault: STALL } },
    { id: "b", double: { models: [MODEL], tokenLatencyMs: 2 } },
    { id: "client" },
  ], TUNING);
  const messages = ask("tell me a story");
  const started = performance.now();
  const { text, chunks } = await collect(fixture.node("client").llm, {
    model: MODEL,
    messages,
    preferredHost: "a",
  });
  const elapsed = performance.now() - started;
  assert.equal(text, expectedAnswer(MODEL, messages), "the same answer, no gap or repeat");
  const switched = chunks.findIndex((c) => c.servedBy.nodeId === "b");
  assert.ok(switched > 0, "the answer started on a and went on on b");
  assert.deepEqual(chunks[switched].failedOverFrom, {
    nodeId: "a",
    nodeName: "node-a",
    model: MODEL,
  });
  assert.equal(chunks[switched].failoverReason, "stalled");
  assert.equal(fixture.node("b").double!.continued, 1);
  assert.ok(elapsed < 3_000, `failed over in ${elapsed.toFixed(0)} ms`);
  await waitUntil(
    () => fixture.node("a").double!.cancelled === 1,
    2_000,
    "a's generation to be cancelled",
  );
  const host = fixture.node("client").llm.hostStatus().find((h) => h.nodeId === "a")!;
  assert.equal(host.healthy, false, "the stalled host is ranked last for a while");
  assert.match(host.lastError ?? "", /stalled/);
});

Deno.test("the local backend silent past the first-token ceiling (nothing usual known) is replaced by a peer", async () => {
  await using fixture = await TestMesh.create([
    {
      id: "local",
      double: { models: [MODEL], fault: { kind: "stall", afterTokens: 0, times: 1 } },
    },
    { id: "peer", double: { models: [MODEL] } },
  ], { ...TUNING, stall: { ...TUNING.stall, maxMs: 1_000 } });
  const messages = ask("hello");
  const { text, chunks } = await collect(fixture.node("local").llm, { model: MODEL, messages });
  assert.equal(text, expectedAnswer(MODEL, messages));
  assert.ok(chunks.every((c) => c.servedBy.nodeId === "peer"));
  assert.equal(chunks[0].failoverReason, "stalled");
  assert.equal(chunks[0].failedOverFrom?.nodeId, "local");
  await waitUntil(
    () => fixture.node("local").double!.cancelled === 1,
    2_000,
    "the local generation to be cancelled",
  );
});
