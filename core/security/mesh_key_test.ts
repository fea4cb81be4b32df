import assert from "node:assert/strict";
import { deriveMeshKey, meshKeyProof, verifyMeshKeyProof } from "./mesh_key.ts";

const context = { signerId: "A", verifierId: "B", signerNonce: "n1", verifierNonce: "n2" };

Deno.test("verifyMeshKeyProof() accepts a proof made with the same passphrase", async () => {
  const proof = await meshKeyProof(await deriveMeshKey("correct horse"), context);
  assert.equal(
    await verifyMeshKeyProof(await deriveMeshKey("correct horse"), proof, context),
    true,
  );
});

Deno.test("verifyMeshKeyProof() refuses another passphrase, context or garbage", async () => {
  const key = await deriveMeshKey("correct horse");
  const proof = await meshKeyProof(key, context);
  assert.equal(await verifyMeshKeyProof(await deriveMeshKey("wrong"), proof, context), false);
  assert.equal(await verifyMeshKeyProof(key, proof, { ...context, signerNonce: "n3" }), false);
  // The identity-proof transcript differs from the mesh-key one: no cross-use.
  assert.equal(
    await verifyMeshKeyProof(key, proof, { ...context, verifierId: "A", signerId: "B" }),
    false,
  );
  assert.equal(await verifyMeshKeyProof(key, "@@@", context), false);
  assert.equal(await verifyMeshKeyProof(key, "AAAA", context), false);
});

Deno.test("deriveMeshKey() refuses an empty passphrase", async () => {
  await assert.rejects(() => deriveMeshKey(""), /empty/);
});
