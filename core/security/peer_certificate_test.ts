import assert from "node:assert/strict";
import { generateIdentity } from "../identity/identity.ts";
import { createNodeCertificate } from "./certificate.ts";
import { PeerCertificates } from "./peer_certificate.ts";

Deno.test("PeerCertificates.nodeId() reads each certificate once and tells them apart", async () => {
  const [a, b] = await Promise.all([generateIdentity("a"), generateIdentity("b")]);
  const [certA, certB] = await Promise.all([createNodeCertificate(a), createNodeCertificate(b)]);
  const known = new PeerCertificates(2);
  assert.equal(await known.nodeId(certA.der), a.nodeId);
  assert.equal(await known.nodeId(certA.der.slice()), a.nodeId);
  assert.equal(known.size, 1);
  assert.equal(await known.nodeId(certB.der), b.nodeId);
  await assert.rejects(known.nodeId(new Uint8Array([1, 2])), /not an X.509/);
  assert.equal(known.size, 2, "a failed read is not remembered");
});

Deno.test("PeerCertificates forgets the oldest certificate beyond its bound", async () => {
  const ids = await Promise.all([1, 2, 3].map((k) => generateIdentity(`n${k}`)));
  const certs = await Promise.all(ids.map(createNodeCertificate));
  const known = new PeerCertificates(2);
  for (const [k, cert] of certs.entries()) {
    assert.equal(await known.nodeId(cert.der), ids[k].nodeId);
  }
  assert.equal(known.size, 2);
});
