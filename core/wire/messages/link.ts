import { z } from "zod";

/** Protocol version spoken by this build. A peer with another major version is refused. */
export const PROTOCOL_VERSION = 1;

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
});
export type Hello = z.infer<typeof Hello>;

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
  "PING:": Ping,
  "PONG:": Ping,
  "BYE!:": Bye,
  "NOOP:": Noop,
} as const;
