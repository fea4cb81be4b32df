import assert from "node:assert/strict";
import {
  countEmbedTokens,
  decodeFloat32Base64,
  encodeFloat32Base64,
  expectedEmbedding,
  fitContext,
} from "./embeddings.ts";

const norm = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));

Deno.test("expectedEmbedding() is deterministic, unit length and depends on model and text", () => {
  const a = expectedEmbedding("m:latest", "hello", 384);
  assert.equal(a.length, 384);
  assert.deepEqual(a, expectedEmbedding("m:latest", "hello", 384));
  assert.notDeepEqual(a, expectedEmbedding("m:latest", "hello!", 384));
  assert.notDeepEqual(a, expectedEmbedding("n:latest", "hello", 384));
  assert.ok(Math.abs(norm(a) - 1) < 1e-6, `norm ${norm(a)}`);
  assert.ok(a.every((x) => x >= -1 && x <= 1));
});

Deno.test("expectedEmbedding() values are float32 and survive float32 round trips", () => {
  const a = expectedEmbedding("m:latest", "x", 64);
  assert.deepEqual([...new Float32Array(a)], a);
  assert.deepEqual(JSON.parse(JSON.stringify(a)), a);
  assert.deepEqual(decodeFloat32Base64(encodeFloat32Base64(a)), a);
});

Deno.test("expectedEmbedding() with dimensions cuts the vector and normalizes it again", () => {
  const full = expectedEmbedding("m:latest", "x", 16);
  const cut = expectedEmbedding("m:latest", "x", 16, 4);
  assert.equal(cut.length, 4);
  assert.ok(Math.abs(norm(cut) - 1) < 1e-6);
  const scale = cut[0] / full[0];
  cut.forEach((v, i) => assert.ok(Math.abs(v - full[i] * scale) < 1e-6, `value ${i}`));
  assert.deepEqual(expectedEmbedding("m:latest", "x", 16, 99), full, "more than the length: all");
  assert.deepEqual(expectedEmbedding("m:latest", "x", 16, 0), full, "0: all");
  assert.throws(() => expectedEmbedding("m", "x", 0), /length must be a positive integer, got 0/);
});

Deno.test("fitContext() truncates at the end by default and refuses without truncate", () => {
  assert.deepEqual(fitContext("a b c", 5, false), { ok: true, text: "a b c", tokens: 3 });
  assert.deepEqual(fitContext("a b c d e", 3, true), { ok: true, text: "a b c", tokens: 3 });
  assert.deepEqual(fitContext("a b c d e", 3, false), { ok: false, tokens: 5 });
  assert.deepEqual(fitContext("", 3, false), { ok: true, text: "", tokens: 0 });
  assert.equal(countEmbedTokens("  two words  "), 2);
});

Deno.test("encodeFloat32Base64() is OpenAI's little-endian float32 base64", () => {
  assert.equal(encodeFloat32Base64([1, -2]), "AACAPwAAAMA=");
  assert.deepEqual(decodeFloat32Base64("AACAPwAAAMA="), [1, -2]);
  const long = Array.from({ length: 70_000 }, (_, i) => i / 7);
  assert.equal(decodeFloat32Base64(encodeFloat32Base64(long)).length, 70_000);
});
