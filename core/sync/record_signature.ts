/**
 * Signed sync records. Every record is signed by its origin node's Ed25519 identity key over a
 * canonical encoding of exactly what it asserts: type, origin, seq and the whole value. A relay
 * forwards the origin's signature untouched, so a node can check records of origins it never
 * linked with: the origin's public key travels with its records, and since a node id is the hash
 * of its key, the key certifies itself.
 *
 * Synchronous on purpose (node:crypto): the store signs inside its write transaction, and
 * verifying ~30 µs a record keeps catch-up of 10,000 messages well under a second.
 */
import {
  createPrivateKey,
  createPublicKey,
  type KeyObject,
  sign as edSign,
  verify as edVerify,
} from "node:crypto";
import { nodeIdFromPublicKeySync } from "../identity/identity.ts";
import { canonicalJson } from "./merge.ts";
import type { SyncRecord } from "./records.ts";

/** Domain separation: a record signature can never be taken for a link proof or anything else. */
const DOMAIN = "neuromesh-record/1\n";
const ED25519_SPKI_PREFIX = Uint8Array.from([
  0x30,
  0x2a,
  0x30,
  0x05,
  0x06,
  0x03,
  0x2b,
  0x65,
  0x70,
  0x03,
  0x21,
  0x00,
]);
const utf8 = new TextEncoder();

/** What a record signature covers. */
export function recordSigningBytes(record: Omit<SyncRecord, "sig">): Uint8Array {
  const { type, origin, seq, value } = record;
  return utf8.encode(DOMAIN + canonicalJson({ type, origin, seq, value }));
}

/** Signs this node's own records. */
export interface RecordSigner {
  readonly nodeId: string;
  /** The node's public key, base64 of the raw 32 bytes: what peers need to verify. */
  readonly publicKey: string;
  sign(record: Omit<SyncRecord, "sig">): string;
}

/** A signer from an Ed25519 private key in PKCS#8 DER form. */
export function recordSigner(nodeId: string, pkcs8: Uint8Array, publicKeyRaw: Uint8Array) {
  const key = createPrivateKey({ key: Buffer.from(pkcs8), format: "der", type: "pkcs8" });
  const signer: RecordSigner = {
    nodeId,
    publicKey: publicKeyRaw.toBase64(),
    sign: (record) => new Uint8Array(edSign(null, recordSigningBytes(record), key)).toBase64(),
  };
  return signer;
}

/** A signer for a node identity (its private key must be extractable, as loaded ones are). */
export async function signerForIdentity(
  identity: { nodeId: string; privateKey: CryptoKey; publicKeyRaw: Uint8Array },
): Promise<RecordSigner> {
  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey("pkcs8", identity.privateKey));
  return recordSigner(identity.nodeId, pkcs8, identity.publicKeyRaw);
}

/** Whether `publicKeyRaw` is the key of node `origin`. Production: the id is the key's hash. */
export type KeyBinding = (origin: string, publicKeyRaw: Uint8Array) => boolean;

export const idIsKeyHash: KeyBinding = (origin, raw) => nodeIdFromPublicKeySync(raw) === origin;

export type Verdict = { ok: true } | { ok: false; problem: string };

/** What the sync engine needs of a verifier. */
export type RecordChecker = Pick<RecordVerifier, "keyOf" | "learn" | "verify">;

/**
 * Checks record signatures. An origin's key is taken from what was learned before, else from
 * the key offered with the record (the frame's `keys`, or the store's); an offered key is kept
 * only once a record of that origin verified with it, so keys offered for nothing cost nothing.
 */
export class RecordVerifier {
  readonly #binding: KeyBinding;
  readonly #keys = new Map<string, { text: string; key: KeyObject }>();
  readonly #maxKeys: number;

  constructor(options: { binding?: KeyBinding; maxKeys?: number } = {}) {
    this.#binding = options.binding ?? idIsKeyHash;
    this.#maxKeys = options.maxKeys ?? 10_000;
  }

  /** The verified key of `origin` (base64), if known. */
  keyOf(origin: string): string | undefined {
    return this.#keys.get(origin)?.text;
  }

  /** Trusts `keyText` as `origin`'s key from now on if it belongs to it (e.g. this node's own). */
  learn(origin: string, keyText: string): Verdict {
    const checked = this.#check(origin, keyText);
    if (checked.ok) this.#remember(origin, keyText, checked.key);
    return checked.ok ? { ok: true } : checked;
  }

  /**
   * Verifies one record against its origin's key: the one learned before, else `offeredKey`
   * (which must belong to the origin, and is learned when the record verifies with it).
   */
  verify(record: SyncRecord, offeredKey?: string): Verdict {
    if (!record.sig) return { ok: false, problem: "an unsigned record" };
    const known = this.#keys.get(record.origin);
    let key = known?.key;
    if (!key) {
      if (offeredKey === undefined) {
        return { ok: false, problem: `a record of ${record.origin}, whose key is unknown` };
      }
      const checked = this.#check(record.origin, offeredKey);
      if (!checked.ok) return checked;
      key = checked.key;
    }
    let signature: Uint8Array;
    try {
      signature = Uint8Array.fromBase64(record.sig);
    } catch {
      return { ok: false, problem: "an unreadable signature" };
    }
    if (signature.length !== 64) return { ok: false, problem: "a signature of the wrong size" };
    if (!edVerify(null, recordSigningBytes(record), key, signature)) {
      return {
        ok: false,
        problem: `a ${record.type} record that ${record.origin} did not sign (seq ${record.seq})`,
      };
    }
    if (!known) this.#remember(record.origin, offeredKey!, key);
    return { ok: true };
  }

  #check(origin: string, keyText: string): { ok: true; key: KeyObject } | {
    ok: false;
    problem: string;
  } {
    const known = this.#keys.get(origin);
    if (known) {
      return known.text === keyText
        ? { ok: true, key: known.key }
        : { ok: false, problem: `another key than ${origin}'s` };
    }
    let raw: Uint8Array;
    try {
      raw = Uint8Array.fromBase64(keyText);
    } catch {
      return { ok: false, problem: `an unreadable key for ${origin}` };
    }
    if (raw.length !== 32) return { ok: false, problem: `a key of ${raw.length} bytes` };
    if (!this.#binding(origin, raw)) {
      return { ok: false, problem: `a key that does not hash to ${origin}` };
    }
    const spki = new Uint8Array(ED25519_SPKI_PREFIX.length + 32);
    spki.set(ED25519_SPKI_PREFIX);
    spki.set(raw, ED25519_SPKI_PREFIX.length);
    return {
      ok: true,
      key: createPublicKey({ key: Buffer.from(spki), format: "der", type: "spki" }),
    };
  }

  #remember(origin: string, text: string, key: KeyObject) {
    if (this.#keys.has(origin)) return;
    if (this.#keys.size >= this.#maxKeys) this.#keys.delete(this.#keys.keys().next().value!);
    this.#keys.set(origin, { text, key });
  }
}
