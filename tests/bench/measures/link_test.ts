import assert from "node:assert/strict";
import { benchFramesPerSecond } from "./link.ts";
import { benchFramesTwoThreads } from "./link_threads.ts";

Deno.test("benchFramesPerSecond() measures links and the raw socket ceiling on loopback", async () => {
  const result = await benchFramesPerSecond({ frames: 5_000, payloadBytes: 256 });
  assert.ok(result.framesPerSecond > 0 && Number.isFinite(result.framesPerSecond));
  assert.ok(result.rawFramesPerSecond > 0 && Number.isFinite(result.rawFramesPerSecond));
});

Deno.test("benchFramesPerSecond() refuses nonsense sizes", async () => {
  await assert.rejects(
    benchFramesPerSecond({ frames: 0, payloadBytes: 256 }),
    /'frames' must be a positive integer, got 0/,
  );
  await assert.rejects(
    benchFramesPerSecond({ frames: 10, payloadBytes: 3 }),
    /'payloadBytes' must be >= 12, got 3/,
  );
});

Deno.test("benchFramesTwoThreads() runs the sender in a worker and counts every frame", async () => {
  const result = await benchFramesTwoThreads({ frames: 5_000, payloadBytes: 256 });
  assert.ok(result.framesPerSecond > 0 && Number.isFinite(result.framesPerSecond));
  assert.ok(result.rawFramesPerSecond > 0 && Number.isFinite(result.rawFramesPerSecond));
});
