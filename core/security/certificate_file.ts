/**
 * The node's TLS certificate, kept beside its identity in `<dataDir>/certificate.pem`: made once
 * (making it loads an X.509 library of ~19 MB), then read at every start and checked with the
 * runtime's own X.509 code. A file that no longer fits the identity (a new identity.json, an
 * edited file) is replaced, never trusted.
 */
import { createPrivateKey, X509Certificate } from "node:crypto";
import type { NodeIdentity } from "../identity/identity.ts";
import { createNodeCertificate, type NodeCertificate, pem, tlsServerName } from "./certificate.ts";
import { type PrivateFile, privateFile } from "./private_file.ts";

export function certificateFileIo(dataDir: string): PrivateFile {
  return privateFile(`${dataDir}/certificate.pem`);
}

/** The stored certificate, when it is one for this identity's key and TLS name; else null. */
function storedCertificate(
  text: string,
  identity: NodeIdentity,
  keyPem: string,
): NodeCertificate | null {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(text);
  } catch {
    return null;
  }
  const fits = certificate.checkPrivateKey(createPrivateKey(keyPem)) &&
    certificate.checkHost(tlsServerName(identity.nodeId)) !== undefined && !certificate.ca;
  if (!fits) return null;
  const der = new Uint8Array(certificate.raw);
  return { der, certPem: pem("CERTIFICATE", der), keyPem };
}

/** Reads the node's certificate, or makes and stores it when missing or not this identity's. */
export async function loadOrCreateNodeCertificate(
  io: PrivateFile,
  identity: NodeIdentity,
): Promise<NodeCertificate> {
  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey("pkcs8", identity.privateKey));
  const text = await io.read();
  const stored = text === null
    ? null
    : storedCertificate(text, identity, pem("PRIVATE KEY", pkcs8));
  if (stored) return stored;
  const made = await createNodeCertificate(identity);
  await io.write(made.certPem);
  return made;
}
