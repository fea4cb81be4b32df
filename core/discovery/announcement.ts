import { z } from "zod";

/**
 * The UDP discovery packet. Byte-compatible with the original Rust NeuroMesh, which sends
 * `{"message_type":"ONLINE","has_llm":true,"timestamp":"2025-04-19T10:12:04.929122Z"}`; ours
 * adds fields that the original ignores. A packet without `node_id` comes from an original
 * ("legacy") node, which is then known by its IP address.
 */

export const DEFAULT_DISCOVERY_PORT = 5000;
/** Larger packets are dropped unread: ours are about 300 bytes. */
export const MAX_ANNOUNCEMENT_BYTES = 2048;
/** The TCP port an original node listens on; its announcement does not say. */
export const LEGACY_PEER_PORT = 7878;
const LEGACY_PREFIX = "legacy:";

/** RFC 3339 as chrono and `Date.toISOString` write it (fraction and offset optional forms). */
const Rfc3339 = z.string().regex(
  /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/,
  "must be an RFC 3339 timestamp",
);
/** No ':' so that no announced id can pose as a `legacy:<ip>` id. */
const NodeId = z.string().regex(/^[A-Za-z0-9._-]{1,128}$/, "must be 1-128 of [A-Za-z0-9._-]");

export const AnnouncementSchema = z.object({
  message_type: z.enum(["ONLINE", "OFFLINE"]),
  has_llm: z.boolean(),
  timestamp: Rfc3339,
  node_id: NodeId.optional(),
  name: z.string().max(128).optional(),
  peer_port: z.number().int().min(1).max(65535).optional(),
  http_port: z.number().int().min(0).max(65535).optional(),
  protocol_version: z.number().int().nonnegative().optional(),
  /** True when the packet answers another node's announcement directly: never answer it. */
  reply: z.boolean().optional(),
  /**
   * The full fingerprint of the node's key (base32 SHA-256); `node_id` is its first 32
   * characters. Unauthenticated like the rest of the packet: links prove the key.
   */
  fingerprint: z.string().max(128).optional(),
  /** Random per process start: a changed value means the node restarted, so it is new again. */
  instance: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/).optional(),
});
export type Announcement = z.infer<typeof AnnouncementSchema>;

export interface OwnAnnouncement {
  type: "ONLINE" | "OFFLINE";
  nodeId: string;
  name: string;
  hasLlm: boolean;
  peerPort: number;
  httpPort: number;
  protocolVersion: number;
  reply?: boolean;
  fingerprint?: string;
  instance?: string;
  /** Milliseconds since the epoch. */
  now: number;
}

/** `2025-04-19T10:12:04.929000Z`: microseconds, like the original. */
export function formatTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, "000Z");
}

/** Builds this node's announcement; the original's three fields come first, as it writes them. */
export function createAnnouncement(own: OwnAnnouncement): Announcement {
  return {
    message_type: own.type,
    has_llm: own.hasLlm,
    timestamp: formatTimestamp(own.now),
    node_id: own.nodeId,
    name: own.name,
    peer_port: own.peerPort,
    http_port: own.httpPort,
    protocol_version: own.protocolVersion,
    reply: own.reply ?? false,
    ...(own.fingerprint === undefined ? {} : { fingerprint: own.fingerprint }),
    ...(own.instance === undefined ? {} : { instance: own.instance }),
  };
}

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

export function encodeAnnouncement(announcement: Announcement): Uint8Array {
  return encoder.encode(JSON.stringify(announcement));
}

/** Parses a datagram; null for anything that is not a valid announcement. Never throws. */
export function decodeAnnouncement(bytes: Uint8Array): Announcement | null {
  if (bytes.length === 0 || bytes.length > MAX_ANNOUNCEMENT_BYTES) return null;
  let json: unknown;
  try {
    json = JSON.parse(decoder.decode(bytes));
  } catch {
    return null;
  }
  const parsed = AnnouncementSchema.safeParse(json);
  return parsed.success ? parsed.data : null;
}

/** True for the original's bare packet, which carries no node id. */
export function isLegacy(announcement: Announcement): boolean {
  return announcement.node_id === undefined;
}

/** The id under which a node is known: its own, or `legacy:<ip>` for an original node. */
export function announcedNodeId(announcement: Announcement, address: string): string {
  return announcement.node_id ?? `${LEGACY_PREFIX}${address}`;
}
