import assert from "node:assert/strict";
import { ApiTokens, tokenFileIo } from "./api_token.ts";
import { memoryPrivateFile } from "./private_file.ts";

Deno.test("ApiTokens.ensure() makes a token once and keeps only its hash", async () => {
  const io = memoryPrivateFile();
  const tokens = await ApiTokens.open(io);
  assert.equal(tokens.configured, false);
  const token = await tokens.ensure();
  assert.ok(token && token.length >= 43);
  assert.equal(io.text!.includes(token!), false);
  assert.equal(await tokens.ensure(), null);
  assert.equal(await tokens.verify(token!), true);
  assert.equal(await (await ApiTokens.open(io)).verify(token!), true);
});

Deno.test("ApiTokens.rotate() retires the old token at once", async () => {
  const tokens = await ApiTokens.open(memoryPrivateFile());
  const first = (await tokens.ensure())!;
  const second = await tokens.rotate();
  assert.notEqual(first, second);
  assert.equal(await tokens.verify(first), false);
  assert.equal(await tokens.verify(second), true);
});

Deno.test("ApiTokens with a fixed token verifies it and refuses to rotate", async () => {
  const tokens = await ApiTokens.open(memoryPrivateFile(), "a-fixed-token-of-some-length");
  assert.equal(tokens.fixed, true);
  assert.equal(await tokens.verify("a-fixed-token-of-some-length"), true);
  assert.equal(await tokens.verify("another"), false);
  await assert.rejects(() => tokens.rotate(), /fixed by --http-token/);
});

Deno.test("ApiTokens.verify() is false with no token and for empty input", async () => {
  const tokens = await ApiTokens.open(memoryPrivateFile());
  assert.equal(await tokens.verify("anything"), false);
  await tokens.ensure();
  assert.equal(await tokens.verify(""), false);
});

Deno.test("tokenFileIo() writes api_token.json with mode 0600", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const token = await (await ApiTokens.open(tokenFileIo(dir))).ensure();
    if (Deno.build.os !== "windows") {
      assert.equal((await Deno.stat(`${dir}/api_token.json`)).mode! & 0o777, 0o600);
    }
    assert.equal(await (await ApiTokens.open(tokenFileIo(dir))).verify(token!), true);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
