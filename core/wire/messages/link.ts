import { z } from "zod";

/**
 * Protocol version spoken by this build. A peer with another version is refused. 4: records are
 * kept and relayed with fields this build does not know (version 3 stripped them, so a version-3
 * node would take a newer record's signature for a forgery).
 */
export const PROTOCOL_VERSION = 4;

const NodeId = z.string().min(1).max(128);

/** `HELO:` — first frame each side sends on a new link. */
export const Hello = z.object({
  nodeId: NodeId,
  name: z.string().max(128),
  protocolVersion: z.number().int().nonnegative(),
  appVersion: z.string().max(64),
  peerPort: z.number().int().min(1).max(65535),
  httpPort: z.number().int().min(0).max(65535),
  hasLlm: z.boolean(),
  /**
   * Random per-connection token. Both ends know the initiator's nonce, so when two connections
   * join the same pair of nodes they agree which one to keep (see core/peers/duplicate.ts).
   */
  nonce: z.string().max(64).optional(),
  /**
   * The node's Ed25519 public key (raw, base64). The node id is its hash, and the `AUTH:` frame
   * that follows proves the sender holds the private key (see core/security/link_proof.ts).
   */
  publicKey: z.string().max(64).optional(),
});
export type Hello = z.infer<typeof Hello>;

/**
 * `AUTH:` — second handshake frame, sent by each side once the other's HELO arrived: an
 * Ed25519 signature over both ids and both nonces, and in mesh-key mode an HMAC proving the
 * mesh passphrase. Nothing else flows before both are verified.
 */
export const Auth = z.object({
  signature: z.string().max(128),
  meshProof: z.string().max(128).optional(),
});
export type Auth = z.infer<typeof Auth>;

/**
 * `ACPT:` — third handshake frame: "your proof is good and my trust policy lets you in". A
 * side goes up only on the peer's ACPT:, so a node that refuses (unapproved, wrong mesh key)
 * never appears linked on either end, not even for a moment.
 */
export const Accept = z.object({});
export type Accept = z.infer<typeof Accept>;

/** `PING:` / `PONG:` — heartbeat; the pong echoes the ping's `sentAt` so the sender measures RTT. */
export const Ping = z.object({ seq: z.number().int().nonnegative(), sentAt: z.number() });
export type Ping = z.infer<typeof Ping>;

/** `BYE!:` — graceful close; the receiver drops the peer at once instead of waiting for timeouts. */
export const Bye = z.object({ reason: z.string().max(256) });
export type Bye = z.infer<typeof Bye>;

/**
 * `NOOP:` — no protocol action: the link engine passes it to subscribers like any message, and
 * no domain module subscribes. Used by link tests and benchmarks.
 */
export const Noop = z.object({ pad: z.string().optional() });
export type Noop = z.infer<typeof Noop>;

export const linkSchemas = {
  "HELO:": Hello,
  "AUTH:": Auth,
  "ACPT:": Accept,
  "PING:": Ping,
  "PONG:": Ping,
  "BYE!:": Bye,
  "NOOP:": Noop,
} as const;
