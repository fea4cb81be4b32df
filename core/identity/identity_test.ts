import assert from "node:assert/strict";
import {
  fingerprintOfPublicKey,
  generateIdentity,
  loadOrCreateIdentity,
  nodeIdFromPublicKey,
  shortId,
} from "./identity.ts";

Deno.test("the node id is the first 32 characters of the key's fingerprint", async () => {
  const identity = await generateIdentity("a");
  const fingerprint = await fingerprintOfPublicKey(identity.publicKeyRaw);
  assert.equal(fingerprint.length, 52);
  assert.equal(identity.nodeId, fingerprint.slice(0, 32));
  assert.equal(await nodeIdFromPublicKey(identity.publicKeyRaw), identity.nodeId);
  assert.match(identity.nodeId, /^[A-Z2-7]{32}$/);
  assert.equal(
    shortId(identity.nodeId),
    `${identity.nodeId.slice(0, 7)}-${identity.nodeId.slice(7, 14)}`,
  );
});

Deno.test("loadOrCreateIdentity() keeps the key in identity.json (0600) across starts", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const first = await loadOrCreateIdentity(dir, "desk");
    const again = await loadOrCreateIdentity(dir);
    assert.equal(again.nodeId, first.nodeId);
    assert.equal(again.name, "desk");
    if (Deno.build.os !== "windows") {
      assert.equal((await Deno.stat(`${dir}/identity.json`)).mode! & 0o777, 0o600);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
