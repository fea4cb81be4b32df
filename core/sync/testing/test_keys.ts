/**
 * Test support: real Ed25519 keys for nodes with readable ids ("A", "B"). Records are signed
 * and verified for real; only the rule binding an id to its key (in production: the id is the
 * key's hash) is replaced by this keyring's table. Never imported by product code.
 */
import { generateKeyPairSync } from "node:crypto";
import {
  type KeyBinding,
  type RecordChecker,
  type RecordSigner,
  recordSigner,
} from "../record_signature.ts";

const keys = new Map<string, RecordSigner>();

/** The signer of test node `id` (one key per id for the whole test process). */
export function testSigner(id: string): RecordSigner {
  let signer = keys.get(id);
  if (!signer) {
    const { privateKey, publicKey } = generateKeyPairSync("ed25519");
    const pkcs8 = new Uint8Array(privateKey.export({ format: "der", type: "pkcs8" }));
    const raw = new Uint8Array(publicKey.export({ format: "der", type: "spki" })).subarray(12);
    signer = recordSigner(id, pkcs8, raw);
    keys.set(id, signer);
  }
  return signer;
}

/** Binds each test id to the key testSigner made for it. */
export const testKeyBinding: KeyBinding = (origin, raw) =>
  keys.get(origin)?.publicKey === raw.toBase64();

/** Accepts every record unchecked: only the bench's unsigned baseline uses it. */
export const acceptAll: RecordChecker = {
  keyOf: () => undefined,
  learn: () => ({ ok: true }),
  verify: () => ({ ok: true }),
};
