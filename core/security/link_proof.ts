import { type NodeIdentity, sign, verifySignature } from "../identity/identity.ts";

/**
 * What one side of a link proves to the other: "I, `signerId`, talk to `verifierId` on the
 * connection where you sent `verifierNonce` and I sent `signerNonce`". Both nonces are fresh
 * per connection, so a proof cannot be replayed; both ids are in it, so a proof made for one
 * node cannot be relayed to another (a relay would need the verifier's id in it).
 */
export interface ProofContext {
  signerId: string;
  verifierId: string;
  signerNonce: string;
  verifierNonce: string;
}

const encoder = new TextEncoder();

/** The exact bytes signed (and, in mesh-key mode, MACed) for a link proof. */
export function proofTranscript(
  purpose: "identity" | "mesh-key",
  context: ProofContext,
): Uint8Array {
  const { signerId, verifierId, signerNonce, verifierNonce } = context;
  for (const [name, value] of Object.entries(context)) {
    if (value.length === 0 || value.includes("\n")) {
      throw new RangeError(
        `Cannot build link proof: '${name}' must be one non-empty line, got ${
          JSON.stringify(value)
        }`,
      );
    }
  }
  return encoder.encode(
    `neuromesh-link-${purpose}-v1\n${signerId}\n${verifierId}\n${signerNonce}\n${verifierNonce}\n`,
  );
}

/** Signs the identity proof with the node's Ed25519 key; base64. */
export async function signLinkProof(
  identity: NodeIdentity,
  context: ProofContext,
): Promise<string> {
  if (context.signerId !== identity.nodeId) {
    throw new RangeError(
      `Cannot sign link proof for ${context.signerId}: this node is ${identity.nodeId}`,
    );
  }
  return (await sign(identity, proofTranscript("identity", context))).toBase64();
}

/** True when `signature` (base64) is the signer's proof for `context` under `publicKeyRaw`. */
export async function verifyLinkProof(
  publicKeyRaw: Uint8Array,
  signature: string,
  context: ProofContext,
): Promise<boolean> {
  const bytes = decodeBase64(signature);
  if (bytes === null || bytes.length !== 64 || publicKeyRaw.length !== 32) return false;
  try {
    return await verifySignature(publicKeyRaw, bytes, proofTranscript("identity", context));
  } catch {
    return false;
  }
}

/** Decodes base64 from a peer; null when it is not base64. */
export function decodeBase64(text: string): Uint8Array | null {
  try {
    return Uint8Array.fromBase64(text);
  } catch {
    return null;
  }
}
