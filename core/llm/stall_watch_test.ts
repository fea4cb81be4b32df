import assert from "node:assert/strict";
import { FakeClock } from "../time/clock.ts";
import type { BackendChunk } from "./backend.ts";
import { HostFailure } from "./inference_client.ts";
import { DEFAULT_STALL_LIMITS } from "./stall_detector.ts";
import { watchStalls } from "./stall_watch.ts";

/** A stream that sends `tokens` chunks then goes silent until aborted. */
async function* silentAfter(tokens: number, signal: AbortSignal): AsyncGenerator<BackendChunk> {
  for (let i = 0; i < tokens; i++) yield { content: `t${i} `, done: false };
  await new Promise((_, reject) => {
    signal.addEventListener("abort", () => reject(signal.reason), { once: true });
  });
}

/** Lets pending promise callbacks run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

Deno.test("watchStalls() aborts a stream silent past its gap deadline and throws stalled", async () => {
  const clock = new FakeClock();
  const abort = new AbortController();
  const watched = watchStalls(silentAfter(3, abort.signal), {
    clock,
    limits: DEFAULT_STALL_LIMITS,
    usual: {},
    abort,
    hostName: "h1",
  });
  const seen: string[] = [];
  const done = (async () => {
    for await (const chunk of watched) seen.push(chunk.content);
  })();
  await settle();
  assert.deepEqual(seen, ["t0 ", "t1 ", "t2 "]);
  clock.advance(4_999);
  await settle();
  assert.equal(abort.signal.aborted, false, "not before the 5 s floor");
  clock.advance(1);
  await assert.rejects(done, (error: unknown) => {
    assert.ok(error instanceof HostFailure);
    assert.equal(error.code, "stalled");
    assert.equal(error.started, true);
    assert.match(error.message, /h1 stalled: no token for 5000 ms/);
    return true;
  });
  assert.ok(abort.signal.aborted, "the stream was cancelled at its host");
});

Deno.test("watchStalls() waits for a first token as long as usual allows, then stalls", async () => {
  const clock = new FakeClock();
  const abort = new AbortController();
  const watched = watchStalls(silentAfter(0, abort.signal), {
    clock,
    limits: DEFAULT_STALL_LIMITS,
    usual: { firstTokenMs: 30_000 },
    abort,
    hostName: "h2",
  });
  const done = watched.next();
  await settle();
  clock.advance(149_999);
  await settle();
  assert.equal(abort.signal.aborted, false);
  clock.advance(1);
  await assert.rejects(done, (e: unknown) =>
    (e as HostFailure).code === "stalled" &&
    !(e as HostFailure).started && /no first token for 150000 ms/.test((e as Error).message));
});

Deno.test("watchStalls() passes a whole stream through and reports its timings", async () => {
  const clock = new FakeClock();
  async function* steady(): AsyncGenerator<BackendChunk> {
    clock.advance(300);
    yield { content: "a", done: false };
    clock.advance(40);
    yield { content: "b", done: false };
    clock.advance(90);
    yield { content: "", done: true, doneReason: "stop" };
  }
  const timings: unknown[] = [];
  const chunks: BackendChunk[] = [];
  for await (
    const chunk of watchStalls(steady(), {
      clock,
      limits: DEFAULT_STALL_LIMITS,
      usual: {},
      abort: new AbortController(),
      hostName: "h",
      onFirstChunk: (ms) => timings.push(["first", ms]),
      onComplete: (first, gap) => timings.push(["complete", first, gap]),
    })
  ) chunks.push(chunk);
  assert.deepEqual(chunks.map((c) => c.content), ["a", "b", ""]);
  assert.deepEqual(timings, [["first", 300], ["complete", 300, 40]]);
});
