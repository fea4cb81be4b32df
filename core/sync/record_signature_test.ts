import assert from "node:assert/strict";
import { generateIdentity } from "../identity/identity.ts";
import type { SyncRecord } from "./records.ts";
import { recordSigningBytes, RecordVerifier, signerForIdentity } from "./record_signature.ts";

const HLC = "0001700000000000-0000-A";

function header(origin: string, title = "plans"): SyncRecord {
  return {
    type: "conversation",
    origin,
    seq: 1,
    value: {
      id: `${origin}.c1`,
      title,
      originNode: origin,
      hostInfo: { nodeId: origin, nodeName: "desk", isLlmHost: false },
      createdAt: "2026-01-02T03:04:05Z",
      shared: true,
      hlc: HLC,
    },
  };
}

Deno.test("a record signed by its origin verifies with the origin's key, taken from the frame", async () => {
  const identity = await generateIdentity("desk");
  const signer = await signerForIdentity(identity);
  const record = header(identity.nodeId);
  record.sig = signer.sign(record);
  assert.equal(record.sig.length, 88);
  const verifier = new RecordVerifier();
  assert.deepEqual(verifier.verify(record).ok, false, "the key is not known yet");
  assert.deepEqual(verifier.verify(record, signer.publicKey), { ok: true });
  assert.equal(verifier.keyOf(identity.nodeId), signer.publicKey, "learned once a record verified");
  assert.deepEqual(verifier.verify(record), { ok: true });
});

Deno.test("any change to what a record asserts breaks its signature", async () => {
  const identity = await generateIdentity("desk");
  const signer = await signerForIdentity(identity);
  const verifier = new RecordVerifier();
  verifier.learn(identity.nodeId, signer.publicKey);
  const record = header(identity.nodeId);
  record.sig = signer.sign(record);
  const altered: [string, SyncRecord][] = [
    ["title", { ...record, value: { ...record.value, title: "rewritten" } } as SyncRecord],
    ["seq", { ...record, seq: 2 }],
    [
      "hlc",
      { ...record, value: { ...record.value, hlc: "0001800000000000-0000-A" } } as SyncRecord,
    ],
    ["type", { ...record, type: "tombstone" } as SyncRecord],
    ["no signature", { ...record, sig: undefined }],
    ["short signature", { ...record, sig: record.sig.slice(0, 40) }],
  ];
  for (const [what, forged] of altered) {
    assert.equal(verifier.verify(forged).ok, false, what);
  }
});

Deno.test("a key is learned only for the id it hashes to, and never replaced", async () => {
  const [a, e] = await Promise.all([generateIdentity("a"), generateIdentity("e")]);
  const [sa, se] = await Promise.all([signerForIdentity(a), signerForIdentity(e)]);
  const verifier = new RecordVerifier();
  const claim = verifier.learn(a.nodeId, se.publicKey);
  assert.equal(claim.ok, false);
  assert.match((claim as { problem: string }).problem, /does not hash to/);
  assert.equal(verifier.learn(a.nodeId, "not base64!").ok, false);
  assert.equal(verifier.learn(a.nodeId, new Uint8Array(31).toBase64()).ok, false);
  assert.equal(verifier.learn(a.nodeId, sa.publicKey).ok, true);
  assert.equal(verifier.learn(a.nodeId, se.publicKey).ok, false, "a known origin keeps its key");
  // E signing a record that names A as its origin: verified against A's key, it fails.
  const forged = header(a.nodeId);
  forged.sig = se.sign(forged);
  assert.equal(verifier.verify(forged).ok, false);
});

Deno.test("signing bytes are canonical: key order of the value does not matter", () => {
  const record = header("A");
  const shuffled = {
    ...record,
    value: Object.fromEntries(Object.entries(record.value).reverse()),
  } as SyncRecord;
  assert.deepEqual(recordSigningBytes(record), recordSigningBytes(shuffled));
  assert.match(new TextDecoder().decode(recordSigningBytes(record)), /^neuromesh-record\/1\n/);
});

Deno.test("an offered key is kept only when a record of its origin verifies with it", async () => {
  const [a, e] = await Promise.all([generateIdentity("a"), generateIdentity("e")]);
  const [sa, se] = await Promise.all([signerForIdentity(a), signerForIdentity(e)]);
  const verifier = new RecordVerifier();
  const forged = header(a.nodeId, "forged");
  forged.sig = se.sign(forged);
  assert.match(
    (verifier.verify(forged, se.publicKey) as { problem: string }).problem,
    /does not hash/,
  );
  assert.equal(verifier.verify(forged, sa.publicKey).ok, false, "E's signature under A's key");
  assert.equal(verifier.keyOf(a.nodeId), undefined, "nothing learned from failures");
  const real = header(a.nodeId);
  real.sig = sa.sign(real);
  assert.equal(verifier.verify(real, se.publicKey).ok, false);
  assert.equal(verifier.verify(real, sa.publicKey).ok, true);
  assert.equal(verifier.keyOf(a.nodeId), sa.publicKey);
  assert.equal(verifier.verify(forged, se.publicKey).ok, false, "the learned key wins");
});
