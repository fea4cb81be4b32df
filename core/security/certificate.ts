import { X509Certificate } from "node:crypto";
import { type NodeIdentity, nodeIdFromPublicKey } from "../identity/identity.ts";
import {
  bitString,
  boolean,
  explicit,
  generalizedTime,
  implicit,
  objectIdentifier,
  octetString,
  printableString,
  sequence,
  set,
  smallInteger,
  utcTime,
} from "./der.ts";

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

const ED25519 = sequence(objectIdentifier("1.3.101.112"));
const COMMON_NAME = objectIdentifier("2.5.4.3");
const BASIC_CONSTRAINTS = objectIdentifier("2.5.29.19");
const SUBJECT_ALT_NAME = objectIdentifier("2.5.29.17");
// Fixed validity: clocks of LAN devices disagree, and the certificate is trusted for its key
// (the node id is the key's hash), not for dates. Same key in, same certificate out.
const VALIDITY = sequence(utcTime("000101000000Z"), generalizedTime("99991231235959Z"));

/**
 * A self-signed X.509 v3 certificate for the identity key: serial 1, subject, issuer and SAN
 * the node's TLS name, basic constraints "not a CA" marked critical (rustls refuses a CA
 * certificate as an end entity). Ed25519 signatures are deterministic, so a node presents the
 * same certificate every start. Written directly in DER (der.ts): an X.509 library costs a node
 * ~19 MB of memory for these few hundred bytes.
 */
export async function createNodeCertificate(identity: NodeIdentity): Promise<NodeCertificate> {
  const name = tlsServerName(identity.nodeId);
  const distinguishedName = sequence(set(sequence(COMMON_NAME, printableString(name))));
  const extensions = sequence(
    sequence(BASIC_CONSTRAINTS, boolean(true), octetString(sequence())),
    sequence(SUBJECT_ALT_NAME, octetString(sequence(implicit(2, new TextEncoder().encode(name))))),
  );
  const tbs = sequence(
    explicit(0, smallInteger(2)), // v3
    smallInteger(1),
    ED25519,
    distinguishedName,
    VALIDITY,
    distinguishedName,
    sequence(ED25519, bitString(identity.publicKeyRaw)),
    explicit(3, extensions),
  );
  const signature = new Uint8Array(
    await crypto.subtle.sign("Ed25519", identity.privateKey, tbs as BufferSource),
  );
  const der = sequence(tbs, ED25519, bitString(signature));
  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey("pkcs8", identity.privateKey));
  return { der, certPem: pem("CERTIFICATE", der), keyPem: pem("PRIVATE KEY", pkcs8) };
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
