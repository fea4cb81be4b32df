import { createHash } from "node:crypto";
import { z } from "zod";

/**
 * A node's identity: an Ed25519 key pair kept in the data dir (mode 0600). The node id is
 * derived from the public key, so nobody can claim an id without holding its private key.
 */
export interface NodeIdentity {
  nodeId: string;
  name: string;
  publicKeyRaw: Uint8Array;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
}

const IdentityFile = z.object({
  version: z.literal(1),
  name: z.string().min(1),
  privateKeyPkcs8: z.string().min(1),
  publicKeyRaw: z.string().min(1),
});

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

function base32(bytes: Uint8Array): string {
  let bits = 0, value = 0, out = "";
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

const b64 = (bytes: Uint8Array) => bytes.toBase64();
const unb64 = (text: string) => Uint8Array.fromBase64(text);

/** Node id: base32 of the first 20 bytes of SHA-256(public key), 32 characters. */
export function nodeIdFromPublicKeySync(raw: Uint8Array): string {
  return base32(createHash("sha256").update(raw).digest().subarray(0, 20));
}

/** Node id of a public key (async form, kept for callers that await it). */
export function nodeIdFromPublicKey(raw: Uint8Array): Promise<string> {
  return Promise.resolve(nodeIdFromPublicKeySync(raw));
}

/**
 * The full fingerprint of a public key: base32 of all of SHA-256, 52 characters. The node id
 * is its first 32 characters. Discovery announcements carry it.
 */
export async function fingerprintOfPublicKey(raw: Uint8Array): Promise<string> {
  return base32(new Uint8Array(await crypto.subtle.digest("SHA-256", raw as BufferSource)));
}

/** Short form for the UI, like Syncthing device ids: `ABCDEFG-HIJKLMN`. */
export function shortId(nodeId: string): string {
  return `${nodeId.slice(0, 7)}-${nodeId.slice(7, 14)}`;
}

export async function verifySignature(
  publicKeyRaw: Uint8Array,
  signature: Uint8Array,
  data: Uint8Array,
) {
  const key = await crypto.subtle.importKey("raw", publicKeyRaw as BufferSource, "Ed25519", true, [
    "verify",
  ]);
  return crypto.subtle.verify("Ed25519", key, signature as BufferSource, data as BufferSource);
}

export async function sign(identity: NodeIdentity, data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(
    await crypto.subtle.sign("Ed25519", identity.privateKey, data as BufferSource),
  );
}

async function fromFile(file: z.infer<typeof IdentityFile>): Promise<NodeIdentity> {
  const publicKeyRaw = unb64(file.publicKeyRaw);
  const privateKey = await crypto.subtle.importKey(
    "pkcs8",
    unb64(file.privateKeyPkcs8) as BufferSource,
    "Ed25519",
    true,
    ["sign"],
  );
  const publicKey = await crypto.subtle.importKey(
    "raw",
    publicKeyRaw as BufferSource,
    "Ed25519",
    true,
    ["verify"],
  );
  return {
    nodeId: await nodeIdFromPublicKey(publicKeyRaw),
    name: file.name,
    publicKeyRaw,
    privateKey,
    publicKey,
  };
}

/**
 * Loads `identity.json` from the data dir, creating the key pair and name on first start.
 * `name`, when given, replaces the stored display name.
 */
export async function loadOrCreateIdentity(dataDir: string, name?: string): Promise<NodeIdentity> {
  const path = `${dataDir}/identity.json`;
  await Deno.mkdir(dataDir, { recursive: true });
  let file: z.infer<typeof IdentityFile> | undefined;
  try {
    file = IdentityFile.parse(JSON.parse(await Deno.readTextFile(path)));
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) {
      throw new Error(`identity file ${path} is unreadable: ${(error as Error).message}`);
    }
  }
  if (!file) {
    file = await newIdentityFile(name ?? defaultName());
    await writePrivate(path, file);
  } else if (name && name !== file.name) {
    file = { ...file, name };
    await writePrivate(path, file);
  }
  return fromFile(file);
}

async function newIdentityFile(name: string): Promise<z.infer<typeof IdentityFile>> {
  const pair = await crypto.subtle.generateKey("Ed25519", true, [
    "sign",
    "verify",
  ]) as CryptoKeyPair;
  return {
    version: 1,
    name,
    privateKeyPkcs8: b64(new Uint8Array(await crypto.subtle.exportKey("pkcs8", pair.privateKey))),
    publicKeyRaw: b64(new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey))),
  };
}

/** A fresh identity kept in memory only (tests, benchmarks). */
export async function generateIdentity(name = "test"): Promise<NodeIdentity> {
  return fromFile(await newIdentityFile(name));
}

async function writePrivate(path: string, file: z.infer<typeof IdentityFile>) {
  const tmp = `${path}.tmp`;
  await Deno.writeTextFile(tmp, JSON.stringify(file, null, 2), { mode: 0o600 });
  if (Deno.build.os !== "windows") await Deno.chmod(tmp, 0o600);
  await Deno.rename(tmp, path);
}

function defaultName(): string {
  try {
    return Deno.hostname();
  } catch {
    return "neuromesh";
  }
}
