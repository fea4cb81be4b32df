import assert from "node:assert/strict";
import { generateIdentity, type NodeIdentity, nodeIdFromPublicKey } from "../identity/identity.ts";
import {
  certificateNodeId,
  certificatePublicKey,
  createNodeCertificate,
  tlsServerName,
} from "./certificate.ts";

Deno.test("tlsServerName() is the lowercased node id under .neuromesh.invalid", () => {
  assert.equal(tlsServerName("ABCDEF234"), "abcdef234.neuromesh.invalid");
});

/** An identity from a fixed seed (0x01…0x20), so its certificate is known byte for byte. */
async function fixedIdentity(): Promise<NodeIdentity> {
  const seed = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
  const pkcs8 = Uint8Array.of(...Uint8Array.fromHex("302e020100300506032b657004220420"), ...seed);
  const privateKey = await crypto.subtle.importKey("pkcs8", pkcs8, "Ed25519", true, ["sign"]);
  const { x } = await crypto.subtle.exportKey("jwk", privateKey);
  const publicKeyRaw = Uint8Array.fromBase64(x!, { alphabet: "base64url" });
  const publicKey = await crypto.subtle.importKey("raw", publicKeyRaw, "Ed25519", true, ["verify"]);
  const nodeId = await nodeIdFromPublicKey(publicKeyRaw);
  return { nodeId, name: "fixed", publicKeyRaw, privateKey, publicKey };
}

// Made by @peculiar/x509 (the generator nodes used before the DER writer) for the fixed key:
// the certificate a node presents did not change.
const FIXED_CERTIFICATE =
  "MIIBejCCASygAwIBAgIBATAFBgMrZXAwPTE7MDkGA1UEAxMybXczYW00Nnc1d2VleDRhNGZxcmMzYXZudWIy" +
  "YTZrbm0ubmV1cm9tZXNoLmludmFsaWQwIBcNMDAwMTAxMDAwMDAwWhgPOTk5OTEyMzEyMzU5NTlaMD0xOzA5BgNV" +
  "BAMTMm13M2FtNDZ3NXdlZXg0YTRmcXJjM2F2bnViMmE2a25tLm5ldXJvbWVzaC5pbnZhbGlkMCowBQYDK2VwAyEA" +
  "ebVWLo/mVPlAeLES6KmLp5AfhTrmlb7X4OORC60ElmSjTzBNMAwGA1UdEwEB/wQCMAAwPQYDVR0RBDYwNIIybXcz" +
  "YW00Nnc1d2VleDRhNGZxcmMzYXZudWIyYTZrbm0ubmV1cm9tZXNoLmludmFsaWQwBQYDK2VwA0EA6pCXqIdYf6Jc" +
  "7PYTcbdxhU//YvavXSpLtHPtjVJL0RD3O1V7lvcUGj1BwsLKLDGn6zunMf5Kla4bb8AETZRcBg==";

Deno.test("createNodeCertificate() writes the same bytes as the X.509 library did", async () => {
  const identity = await fixedIdentity();
  assert.equal(identity.nodeId, "MW3AM46W5WEEX4A4FQRC3AVNUB2A6KNM");
  const cert = await createNodeCertificate(identity);
  assert.equal(cert.der.toBase64(), FIXED_CERTIFICATE);
  assert.match(
    cert.certPem,
    /^-----BEGIN CERTIFICATE-----\n(.{64}\n)+.*\n-----END CERTIFICATE-----\n$/,
  );
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
