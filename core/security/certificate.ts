import type * as X509 from "@peculiar/x509";
import { X509Certificate } from "node:crypto";
import { type NodeIdentity, nodeIdFromPublicKey } from "../identity/identity.ts";

let x509Module: Promise<typeof X509> | undefined;

/**
 * @peculiar/x509, loaded on first use: it holds ~19 MB of a running node's memory, and a node
 * needs it only to make its certificate once (certificate_file.ts keeps it in the data dir).
 */
function loadX509(): Promise<typeof X509> {
  x509Module ??= import("@peculiar/x509").then((x509) => {
    x509.cryptoProvider.set(crypto);
    return x509;
  });
  return x509Module;
}

/** TLS names are made up under `.invalid` (RFC 6761), so no real host can ever hold one. */
export const TLS_NAME_SUFFIX = ".neuromesh.invalid";

/**
 * The DNS name a node's certificate is issued for: its node id, lowercased. A dialer verifies
 * the peer against this name and the pinned certificate, never against the IP address.
 */
export function tlsServerName(nodeId: string): string {
  return `${nodeId.toLowerCase()}${TLS_NAME_SUFFIX}`;
}

/** A node's TLS credentials, made from its Ed25519 identity key. */
export interface NodeCertificate {
  /** DER of the self-signed certificate. */
  der: Uint8Array;
  certPem: string;
  /** The identity private key as PKCS#8 PEM, for the TLS server. */
  keyPem: string;
}

// Fixed validity: clocks of LAN devices disagree, and the certificate is trusted for its key
// (the node id is the key's hash), not for dates. Same key in, same certificate out.
const NOT_BEFORE = new Date("2000-01-01T00:00:00Z");
const NOT_AFTER = new Date("9999-12-31T23:59:59Z");

/**
 * A self-signed X.509 certificate for the identity key: subject and SAN are the node's TLS
 * name, basic constraints say "not a CA" (rustls refuses a CA certificate as an end entity),
 * and Ed25519 signatures are deterministic, so a node presents the same certificate every start.
 */
export async function createNodeCertificate(identity: NodeIdentity): Promise<NodeCertificate> {
  const x509 = await loadX509();
  const name = tlsServerName(identity.nodeId);
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: "01",
    name: `CN=${name}`,
    notBefore: NOT_BEFORE,
    notAfter: NOT_AFTER,
    signingAlgorithm: { name: "Ed25519" },
    keys: { privateKey: identity.privateKey, publicKey: identity.publicKey },
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.SubjectAlternativeNameExtension([{ type: "dns", value: name }]),
    ],
  });
  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey("pkcs8", identity.privateKey));
  const der = new Uint8Array(certificate.rawData);
  return {
    der,
    certPem: pem("CERTIFICATE", der),
    keyPem: pem("PRIVATE KEY", pkcs8),
  };
}

/** PEM text of DER bytes (what Deno's and node's TLS APIs take). */
export function pem(label: string, der: Uint8Array): string {
  const lines = der.toBase64().match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

/**
 * The raw Ed25519 public key of a certificate. Throws when the bytes are not a certificate or
 * its key is not Ed25519 (no other kind can hash to a node id). Parsed by the runtime's own
 * X.509 code (node:crypto), which a node loads anyway.
 */
export function certificatePublicKey(der: Uint8Array): Promise<Uint8Array> {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(der);
  } catch (error) {
    return Promise.reject(new Error(`not an X.509 certificate: ${(error as Error).message}`));
  }
  const key = certificate.publicKey;
  const jwk = key.asymmetricKeyType === "ed25519" ? key.export({ format: "jwk" }) : null;
  if (!jwk?.x) {
    return Promise.reject(
      new Error(`certificate key is ${key.asymmetricKeyType}, expected Ed25519`),
    );
  }
  return Promise.resolve(Uint8Array.fromBase64(jwk.x, { alphabet: "base64url" }));
}

/** The node id a certificate's key stands for (whoever completes TLS with it holds that key). */
export async function certificateNodeId(der: Uint8Array): Promise<string> {
  return nodeIdFromPublicKey(await certificatePublicKey(der));
}
