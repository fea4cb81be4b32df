import { decodeBase64, type ProofContext, proofTranscript } from "./link_proof.ts";

/**
 * The shared secret of mesh-key mode: an HMAC-SHA-256 key stretched from the passphrase with
 * PBKDF2 (WebCrypto), so a stolen proof costs an attacker this much work per guess.
 */
export const MESH_KEY_ITERATIONS = 200_000;
const SALT = new TextEncoder().encode("neuromesh mesh-key v1");

export type MeshKey = CryptoKey;

export async function deriveMeshKey(passphrase: string): Promise<MeshKey> {
  if (passphrase.length === 0) {
    throw new RangeError("Cannot derive mesh key: the passphrase is empty");
  }
  const material = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(passphrase),
    "PBKDF2",
    false,
    ["deriveKey"],
  );
  return crypto.subtle.deriveKey(
    { name: "PBKDF2", hash: "SHA-256", salt: SALT, iterations: MESH_KEY_ITERATIONS },
    material,
    { name: "HMAC", hash: "SHA-256", length: 256 },
    false,
    ["sign", "verify"],
  );
}

/** Proof of knowing the mesh key, bound to this connection's nonces and both ids; base64. */
export async function meshKeyProof(key: MeshKey, context: ProofContext): Promise<string> {
  const mac = await crypto.subtle.sign(
    "HMAC",
    key,
    proofTranscript("mesh-key", context) as BufferSource,
  );
  return new Uint8Array(mac).toBase64();
}

/** Checks a peer's proof (WebCrypto's verify compares in constant time). */
export function verifyMeshKeyProof(
  key: MeshKey,
  proof: string,
  context: ProofContext,
): Promise<boolean> {
  const bytes = decodeBase64(proof);
  if (bytes === null || bytes.length !== 32) return Promise.resolve(false);
  return crypto.subtle.verify(
    "HMAC",
    key,
    bytes as BufferSource,
    proofTranscript("mesh-key", context) as BufferSource,
  );
}
