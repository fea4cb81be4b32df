import assert from "node:assert/strict";
import { decideTrust, type TrustQuestion } from "./trust_policy.ts";

const ask = (q: Partial<TrustQuestion>) =>
  decideTrust({
    mode: "open",
    nodeId: "N1",
    status: null,
    allowIds: new Set(),
    blockIds: new Set(),
    meshKeyValid: null,
    ...q,
  });

Deno.test("decideTrust() in open mode accepts a node never seen (trust on first use)", () => {
  assert.deepEqual(ask({}), { accept: true, reason: "open mode" });
});

Deno.test("decideTrust() refuses a blocked id in every mode, even when allow-listed", () => {
  for (const mode of ["open", "mesh-key", "approve"] as const) {
    assert.equal(ask({ mode, blockIds: new Set(["N1"]), allowIds: new Set(["N1"]) }).accept, false);
    assert.equal(ask({ mode, status: "blocked", meshKeyValid: true }).accept, false);
  }
});

Deno.test("decideTrust() in mesh-key mode accepts only a valid proof", () => {
  assert.deepEqual(ask({ mode: "mesh-key", meshKeyValid: true }), {
    accept: true,
    reason: "mesh key",
  });
  assert.deepEqual(ask({ mode: "mesh-key", meshKeyValid: false }), {
    accept: false,
    reason: "wrong mesh key",
    pending: false,
  });
  assert.deepEqual(ask({ mode: "mesh-key", meshKeyValid: null, status: "trusted" }), {
    accept: false,
    reason: "no mesh key proof",
    pending: false,
  });
  assert.equal(ask({ mode: "mesh-key", allowIds: new Set(["N1"]) }).accept, true);
});

Deno.test("decideTrust() in approve mode makes a new node wait and lets an approved one in", () => {
  assert.deepEqual(ask({ mode: "approve" }), {
    accept: false,
    reason: "waiting for approval",
    pending: true,
  });
  assert.equal(ask({ mode: "approve", status: "pending" }).accept, false);
  assert.deepEqual(ask({ mode: "approve", status: "trusted" }), {
    accept: true,
    reason: "approved",
  });
  assert.equal(ask({ mode: "approve", allowIds: new Set(["N1"]) }).accept, true);
  // A valid mesh key is not an approval.
  assert.equal(ask({ mode: "approve", meshKeyValid: true }).accept, false);
});
