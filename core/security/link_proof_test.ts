import assert from "node:assert/strict";
import { generateIdentity } from "../identity/identity.ts";
import {
  type ProofContext,
  proofTranscript,
  signLinkProof,
  verifyLinkProof,
} from "./link_proof.ts";

const context = (signerId: string, verifierId: string): ProofContext => ({
  signerId,
  verifierId,
  signerNonce: "aaaa",
  verifierNonce: "bbbb",
});

Deno.test("verifyLinkProof() accepts the signer's proof for the same context", async () => {
  const a = await generateIdentity("a");
  const proof = await signLinkProof(a, context(a.nodeId, "B"));
  assert.equal(await verifyLinkProof(a.publicKeyRaw, proof, context(a.nodeId, "B")), true);
});

Deno.test("verifyLinkProof() refuses a proof relayed to another verifier or nonce", async () => {
  const a = await generateIdentity("a");
  const proof = await signLinkProof(a, context(a.nodeId, "B"));
  assert.equal(await verifyLinkProof(a.publicKeyRaw, proof, context(a.nodeId, "C")), false);
  assert.equal(
    await verifyLinkProof(a.publicKeyRaw, proof, {
      ...context(a.nodeId, "B"),
      verifierNonce: "cccc",
    }),
    false,
  );
});

Deno.test("verifyLinkProof() refuses another key, garbage and wrong lengths", async () => {
  const a = await generateIdentity("a");
  const b = await generateIdentity("b");
  const proof = await signLinkProof(a, context(a.nodeId, "B"));
  assert.equal(await verifyLinkProof(b.publicKeyRaw, proof, context(a.nodeId, "B")), false);
  assert.equal(await verifyLinkProof(a.publicKeyRaw, "not base64!", context(a.nodeId, "B")), false);
  assert.equal(await verifyLinkProof(a.publicKeyRaw, "AAAA", context(a.nodeId, "B")), false);
  assert.equal(await verifyLinkProof(new Uint8Array(3), proof, context(a.nodeId, "B")), false);
});

Deno.test("signLinkProof() refuses to sign for another id", async () => {
  const a = await generateIdentity("a");
  await assert.rejects(() => signLinkProof(a, context("SOMEONE", "B")), /this node is/);
});

Deno.test("proofTranscript() refuses fields that could shift lines", () => {
  assert.throws(() => proofTranscript("identity", { ...context("A", "B"), signerNonce: "x\ny" }));
  assert.throws(() => proofTranscript("identity", { ...context("A", "B"), verifierId: "" }));
});
