import { announcedNodeId, type Announcement, isLegacy, LEGACY_PEER_PORT } from "./announcement.ts";

/** A node heard on the LAN. */
export interface NodeEntry {
  nodeId: string;
  name: string;
  /** Source IP of its last announcement. */
  address: string;
  peerPort: number;
  /** Null for an original node, whose packet does not say. */
  httpPort: number | null;
  hasLlm: boolean;
  /** An original NeuroMesh node, keyed `legacy:<ip>`. */
  legacy: boolean;
  /** Null for an original node. */
  protocolVersion: number | null;
  fingerprint: string | null;
  /** Per-start id of the announcing process; null when it does not send one. */
  instance: string | null;
  /** Clock time (ms) of its last announcement. */
  lastSeen: number;
}

/**
 * - `new`: first heard (or heard again after it expired or went offline)
 * - `restarted`: known, but announcing a new instance id: its process restarted
 * - `updated`: known, and something but `lastSeen` changed
 * - `refreshed`: known, nothing changed
 * - `removed`: it said OFFLINE
 * - `ignored`: OFFLINE from a node not known
 * - `full`: unknown node dropped because the table is full
 */
export type ObserveKind =
  | "new"
  | "restarted"
  | "updated"
  | "refreshed"
  | "removed"
  | "ignored"
  | "full";

export interface Observation {
  kind: ObserveKind;
  /** The entry after the change; for `removed` the entry that was removed; null otherwise. */
  entry: NodeEntry | null;
}

export interface RegistryOptions {
  /** Entries silent for longer than this are expired. Default 60 s. */
  timeoutMs?: number;
  /** Default 1024. */
  maxEntries?: number;
}

export const DEFAULT_PEER_TIMEOUT_MS = 60_000;
export const DEFAULT_MAX_NODES = 1024;

const SAME_FIELDS = [
  "name",
  "address",
  "peerPort",
  "httpPort",
  "hasLlm",
  "protocolVersion",
  "fingerprint",
] as const;

function entryFrom(announcement: Announcement, address: string, now: number): NodeEntry {
  const legacy = isLegacy(announcement);
  return {
    nodeId: announcedNodeId(announcement, address),
    name: announcement.name ?? address,
    address,
    peerPort: announcement.peer_port ?? LEGACY_PEER_PORT,
    httpPort: announcement.http_port ?? null,
    hasLlm: announcement.has_llm,
    legacy,
    protocolVersion: announcement.protocol_version ?? null,
    fingerprint: announcement.fingerprint ?? null,
    instance: announcement.instance ?? null,
    lastSeen: now,
  };
}

/**
 * The table of nodes heard by discovery. Pure: time comes in as arguments. Bounded: when full,
 * unknown ids are dropped rather than evicting known nodes, so a flood of spoofed ids cannot
 * push real nodes out.
 */
export class NodeRegistry {
  readonly timeoutMs: number;
  readonly maxEntries: number;
  #entries = new Map<string, NodeEntry>();

  constructor(options: RegistryOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_PEER_TIMEOUT_MS;
    this.maxEntries = options.maxEntries ?? DEFAULT_MAX_NODES;
    if (!(this.timeoutMs > 0)) {
      throw new RangeError(
        `Cannot create NodeRegistry as 'timeoutMs' must be positive: current value is ${this.timeoutMs}`,
      );
    }
    if (!Number.isInteger(this.maxEntries) || this.maxEntries < 1) {
      throw new RangeError(
        `Cannot create NodeRegistry as 'maxEntries' must be a positive integer: current value is ${this.maxEntries}`,
      );
    }
  }

  /** Records an announcement heard from `address` at `now` and says what it changed. */
  observe(announcement: Announcement, address: string, now: number): Observation {
    const nodeId = announcedNodeId(announcement, address);
    const known = this.#entries.get(nodeId);
    if (announcement.message_type === "OFFLINE") {
      if (!known) return { kind: "ignored", entry: null };
      this.#entries.delete(nodeId);
      return { kind: "removed", entry: known };
    }
    const entry = entryFrom(announcement, address, now);
    if (!known) {
      if (this.#entries.size >= this.maxEntries) return { kind: "full", entry: null };
      this.#entries.set(nodeId, entry);
      return { kind: "new", entry };
    }
    this.#entries.set(nodeId, entry);
    // A restarted process lost its links and its view of us: treat it as a newcomer.
    if (entry.instance !== null && known.instance !== entry.instance) {
      return { kind: "restarted", entry };
    }
    const changed = SAME_FIELDS.some((field) => known[field] !== entry[field]);
    return { kind: changed ? "updated" : "refreshed", entry };
  }

  /** Removes and returns the entries silent for longer than the timeout. */
  expire(now: number): NodeEntry[] {
    const expired: NodeEntry[] = [];
    for (const [nodeId, entry] of this.#entries) {
      if (now - entry.lastSeen > this.timeoutMs) {
        this.#entries.delete(nodeId);
        expired.push(entry);
      }
    }
    return expired;
  }

  /** When the next entry falls due for expiry if nothing is heard from it (null when empty). */
  nextExpiry(): number | null {
    let oldest = Infinity;
    for (const entry of this.#entries.values()) oldest = Math.min(oldest, entry.lastSeen);
    return oldest === Infinity ? null : oldest + this.timeoutMs;
  }

  get(nodeId: string): NodeEntry | undefined {
    return this.#entries.get(nodeId);
  }

  list(): NodeEntry[] {
    return [...this.#entries.values()];
  }

  get size(): number {
    return this.#entries.size;
  }
}
