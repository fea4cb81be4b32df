import assert from "node:assert/strict";
import { generateIdentity } from "../identity/identity.ts";
import {
  certificateNodeId,
  certificatePublicKey,
  createNodeCertificate,
  tlsServerName,
} from "./certificate.ts";

Deno.test("tlsServerName() is the lowercased node id under .neuromesh.invalid", () => {
  assert.equal(tlsServerName("ABCDEF234"), "abcdef234.neuromesh.invalid");
});

Deno.test("createNodeCertificate() binds the certificate to the identity key", async () => {
  const identity = await generateIdentity("a");
  const cert = await createNodeCertificate(identity);
  assert.deepEqual(await certificatePublicKey(cert.der), identity.publicKeyRaw);
  assert.equal(await certificateNodeId(cert.der), identity.nodeId);
  assert.match(cert.certPem, /^-----BEGIN CERTIFICATE-----\n/);
  assert.match(cert.keyPem, /^-----BEGIN PRIVATE KEY-----\n/);
  assert.ok(cert.der.length < 1024, `certificate is ${cert.der.length} bytes`);
});

Deno.test("createNodeCertificate() makes the same certificate for the same key", async () => {
  const identity = await generateIdentity("a");
  const first = await createNodeCertificate(identity);
  const second = await createNodeCertificate(identity);
  assert.deepEqual(first.der, second.der);
});

Deno.test("certificatePublicKey() refuses bytes that are not a certificate", async () => {
  await assert.rejects(() => certificatePublicKey(new Uint8Array([1, 2, 3])), /not an X.509/);
});

async function tlsAttempt(
  serverCert: { certPem: string; keyPem: string },
  pinned: string,
  name: string,
): Promise<string> {
  const listener = Deno.listenTls({
    hostname: "127.0.0.1",
    port: 0,
    cert: serverCert.certPem,
    key: serverCert.keyPem,
  });
  const served = (async () => {
    const conn = await listener.accept();
    try {
      await conn.handshake();
      await conn.write(new TextEncoder().encode("ok"));
    } catch { /* the client refused us */ }
    conn.close();
  })();
  const tcp = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
  let outcome: string;
  try {
    const tls = await Deno.startTls(tcp, { hostname: name, caCerts: [pinned] });
    try {
      const buffer = new Uint8Array(8);
      const n = await tls.read(buffer);
      outcome = new TextDecoder().decode(buffer.subarray(0, n ?? 0));
    } finally {
      tls.close();
    }
  } catch (error) {
    outcome = `refused: ${(error as Error).message}`;
  }
  await served;
  listener.close();
  return outcome;
}

Deno.test("Deno TLS accepts the Ed25519 certificate pinned as its own root", async () => {
  const identity = await generateIdentity("a");
  const cert = await createNodeCertificate(identity);
  assert.equal(await tlsAttempt(cert, cert.certPem, tlsServerName(identity.nodeId)), "ok");
});

Deno.test("Deno TLS refuses another node's certificate and another node's name", async () => {
  const a = await generateIdentity("a");
  const b = await generateIdentity("b");
  const certA = await createNodeCertificate(a);
  const certB = await createNodeCertificate(b);
  // The server holds B's key while the client pinned A: refused.
  assert.match(await tlsAttempt(certB, certA.certPem, tlsServerName(a.nodeId)), /^refused/);
  // Right certificate, but the client expects B's name: refused.
  assert.match(await tlsAttempt(certA, certA.certPem, tlsServerName(b.nodeId)), /^refused/);
});
