import assert from "node:assert/strict";
import { benchEncryptionOverhead } from "./encryption.ts";

Deno.test("benchEncryptionOverhead() measures frames/s over plain TCP and over TLS", async () => {
  const result = await benchEncryptionOverhead({ frames: 20_000, payloadBytes: 200 });
  console.log(
    `frames/s through links: plain ${Math.round(result.plain.framesPerSecond)}, ` +
      `TLS ${Math.round(result.tls.framesPerSecond)} (${result.linkOverheadPercent}% cost); raw ` +
      `${Math.round(result.plain.rawFramesPerSecond)} vs ${
        Math.round(result.tls.rawFramesPerSecond)
      }`,
  );
  for (const run of [result.plain, result.tls]) {
    assert.ok(run.framesPerSecond > 0 && Number.isFinite(run.framesPerSecond));
    assert.ok(run.rawFramesPerSecond > 0 && Number.isFinite(run.rawFramesPerSecond));
  }
  assert.ok(Number.isFinite(result.linkOverheadPercent));
});
