import type { CidrSet } from "../net/cidr.ts";
import { CidrSet as Cidrs, DEFAULT_ALLOWED_CIDRS } from "../net/cidr.ts";
import { type Logger, silentLogger } from "../log/logger.ts";
import { type Clock, systemClock } from "../time/clock.ts";
import { PROTOCOL_VERSION } from "../wire/messages/link.ts";
import {
  type Announcement,
  createAnnouncement,
  decodeAnnouncement,
  DEFAULT_DISCOVERY_PORT,
  encodeAnnouncement,
} from "./announcement.ts";
import type { DatagramTransport } from "./datagram_transport.ts";
import { KeyedRateLimiter, TokenBucket } from "./rate_limiter.ts";
import {
  DEFAULT_MAX_NODES,
  DEFAULT_PEER_TIMEOUT_MS,
  type NodeEntry,
  NodeRegistry,
} from "./registry.ts";

export const DEFAULT_ANNOUNCE_INTERVAL_MS = 30_000;
export const DEFAULT_EXPIRE_INTERVAL_MS = 1_000;

/** `restarted`: a known node announced a new instance id, so its links are stale. */
export type NodeSeenKind = "new" | "restarted" | "updated";
export type NodeLostReason = "timeout" | "offline";

/** What discovery reads of the live settings, at every packet it sends or receives. */
export interface DiscoverySettings {
  /** This node's display name. */
  name: string;
  /** Sources accepted. Default: DEFAULT_ALLOWED_CIDRS (private, link-local, loopback). */
  allowed?: CidrSet;
  /** Sources refused even when allowed. */
  blocked?: CidrSet;
}

export interface DiscoveryOptions {
  nodeId: string;
  /** The live settings; after a change of name, `announce()` tells the others at once. */
  settings: () => DiscoverySettings;
  /** TCP port of our peer link listener. */
  peerPort: number;
  /** Port of our HTTP server (0 when it has none). */
  httpPort: number;
  /** Whether this node offers an LLM now; after a change, `announce()` tells the others. */
  hasLlm?: () => boolean;
  /** Default: PROTOCOL_VERSION. */
  protocolVersion?: number;
  /** Our key's full fingerprint (the node id is its start); sent when set. */
  fingerprint?: string;
  /** Per-start id (default: random): peers seeing it change treat this node as new. */
  instance?: string;
  /** The UDP port every node listens on; answers go to the sender's address on it. Default 5000. */
  discoveryPort?: number;
  /** Where announcements go: broadcast (or unicast) IPv4 addresses, read anew at each announce. */
  targets: readonly string[] | (() => readonly string[]);
  /** Default 30 s. */
  announceIntervalMs?: number;
  /** A node silent this long is lost. Default 60 s. */
  peerTimeoutMs?: number;
  /** Least time between two expiry checks (each runs when the oldest entry falls due). Default 1 s. */
  expireIntervalMs?: number;
  /** Most nodes tracked. Default 1024. */
  maxNodes?: number;
  /** Packets processed per second from one source address (burst the same). Default 20. */
  perSourceRate?: number;
  /** Packets processed per second in total (burst the same). Default 200. */
  globalRate?: number;
  logger?: Logger;
  clock?: Clock;
}

export interface DiscoveryStats {
  received: number;
  processed: number;
  notAllowed: number;
  rateLimited: number;
  malformed: number;
  own: number;
  sent: number;
  sendErrors: number;
}

type TimerHandle = ReturnType<Clock["setTimeout"]>;

const DEFAULT_ALLOWED = new Cidrs(DEFAULT_ALLOWED_CIDRS);

/** Answers to one address at most this often, so spoofed sources cannot aim our replies. */
const REPLY_RATE = { ratePerSecond: 1, burst: 5 };
const MAX_TRACKED_SOURCES = 4096;
/** Warnings about floods at most this often. */
const WARN_EVERY_MS = 10_000;

function checkPort(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min || value > 65535) {
    throw new RangeError(
      `Cannot create Discovery as '${name}' must be a port ${min}-65535: current value is ${value}`,
    );
  }
}

function checkPositive(name: string, value: number): void {
  if (!(value > 0) || !Number.isFinite(value)) {
    throw new RangeError(
      `Cannot create Discovery as '${name}' must be a positive number: current value is ${value}`,
    );
  }
}

/** node:dgram may report IPv4 senders in IPv6-mapped form on dual-stack sockets. */
function plainAddress(address: string): string {
  return address.startsWith("::ffff:") && address.includes(".") ? address.slice(7) : address;
}

/**
 * LAN discovery over UDP: announces this node to every broadcast target at start and every
 * `announceIntervalMs`, answers a newcomer directly (unicast, `reply: true`) so it learns
 * everybody at once, keeps the table of nodes heard, and says OFFLINE on stop.
 */
export class Discovery {
  readonly discoveryPort: number;
  #transport: DatagramTransport;
  #options: DiscoveryOptions;
  #clock: Clock;
  #logger: Logger;
  #registry: NodeRegistry;
  #perSource: KeyedRateLimiter;
  #global: TokenBucket;
  #replies: KeyedRateLimiter;
  #state: "idle" | "running" | "stopped" = "idle";
  #timers: { announce: TimerHandle | null; expire: TimerHandle | null } = {
    announce: null,
    expire: null,
  };
  #seen = new Set<(entry: NodeEntry, kind: NodeSeenKind) => void>();
  #lost = new Set<(entry: NodeEntry, reason: NodeLostReason) => void>();
  #stats: DiscoveryStats = {
    received: 0,
    processed: 0,
    notAllowed: 0,
    rateLimited: 0,
    malformed: 0,
    own: 0,
    sent: 0,
    sendErrors: 0,
  };
  #lastWarnAt = -Infinity;

  readonly #instance: string;

  constructor(transport: DatagramTransport, options: DiscoveryOptions) {
    this.#instance = options.instance ?? crypto.randomUUID().replaceAll("-", "").slice(0, 16);
    this.discoveryPort = options.discoveryPort ?? DEFAULT_DISCOVERY_PORT;
    checkPort("discoveryPort", this.discoveryPort, 1);
    checkPort("peerPort", options.peerPort, 1);
    checkPort("httpPort", options.httpPort, 0);
    const announceIntervalMs = options.announceIntervalMs ?? DEFAULT_ANNOUNCE_INTERVAL_MS;
    checkPositive("announceIntervalMs", announceIntervalMs);
    checkPositive("expireIntervalMs", options.expireIntervalMs ?? DEFAULT_EXPIRE_INTERVAL_MS);
    const perSource = options.perSourceRate ?? 20;
    const global = options.globalRate ?? 200;
    checkPositive("perSourceRate", perSource);
    checkPositive("globalRate", global);
    this.#transport = transport;
    this.#options = { ...options, announceIntervalMs };
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger ?? silentLogger;
    this.#registry = new NodeRegistry({
      timeoutMs: options.peerTimeoutMs ?? DEFAULT_PEER_TIMEOUT_MS,
      maxEntries: options.maxNodes ?? DEFAULT_MAX_NODES,
    });
    const now = this.#clock.now();
    this.#perSource = new KeyedRateLimiter({
      ratePerSecond: perSource,
      burst: perSource,
      maxKeys: MAX_TRACKED_SOURCES,
    });
    this.#global = new TokenBucket({ ratePerSecond: global, burst: global }, now);
    this.#replies = new KeyedRateLimiter({ ...REPLY_RATE, maxKeys: MAX_TRACKED_SOURCES });
  }

  /** Starts listening, announces at once, then every `announceIntervalMs`. */
  async start(): Promise<void> {
    if (this.#state !== "idle") throw new Error(`Cannot start Discovery: it is ${this.#state}`);
    this.#state = "running";
    this.#transport.onMessage((bytes, address, port) => this.#onPacket(bytes, address, port));
    this.#scheduleAnnounce();
    this.#scheduleExpire();
    this.#logger.info("discovery started", {
      port: this.discoveryPort,
      targets: this.#targets().join(","),
    });
    await this.announce();
  }

  /** Says OFFLINE to every target and every known node, then closes the socket. */
  async stop(): Promise<void> {
    if (this.#state === "stopped") return;
    const wasRunning = this.#state === "running";
    this.#state = "stopped";
    for (const id of [this.#timers.announce, this.#timers.expire]) {
      if (id !== null) this.#clock.clearTimeout(id);
    }
    this.#timers = { announce: null, expire: null };
    if (wasRunning) {
      const bytes = this.#packet("OFFLINE", false);
      const hosts = new Set([...this.#targets(), ...this.#registry.list().map((e) => e.address)]);
      await Promise.all([...hosts].map((host) => this.#send(bytes, host)));
    }
    await this.#transport.close();
    this.#logger.info("discovery stopped");
  }

  /** Broadcasts our ONLINE announcement now (also done on a timer, and after a change of ours). */
  async announce(): Promise<void> {
    if (this.#state !== "running") return;
    const bytes = this.#packet("ONLINE", false);
    await Promise.all(this.#targets().map((host) => this.#send(bytes, host)));
  }

  /** Every node heard and not yet lost. */
  nodes(): NodeEntry[] {
    return this.#registry.list();
  }

  node(nodeId: string): NodeEntry | undefined {
    return this.#registry.get(nodeId);
  }

  stats(): DiscoveryStats {
    return { ...this.#stats };
  }

  /** Called for a node heard for the first time (again) or whose details changed. */
  onNodeSeen(callback: (entry: NodeEntry, kind: NodeSeenKind) => void): () => void {
    this.#seen.add(callback);
    return () => this.#seen.delete(callback);
  }

  /** Called when a node said OFFLINE or stayed silent past `peerTimeoutMs`. */
  onNodeLost(callback: (entry: NodeEntry, reason: NodeLostReason) => void): () => void {
    this.#lost.add(callback);
    return () => this.#lost.delete(callback);
  }

  #onPacket(bytes: Uint8Array, rawAddress: string, _port: number): void {
    if (this.#state !== "running") return;
    this.#stats.received++;
    const now = this.#clock.now();
    const address = plainAddress(rawAddress);
    const { allowed = DEFAULT_ALLOWED, blocked } = this.#options.settings();
    if (blocked?.matches(address) || !allowed.matches(address)) {
      this.#stats.notAllowed++;
      return;
    }
    // Per source first, so that one noisy sender cannot use up the global budget.
    if (!this.#perSource.allow(address, now) || !this.#global.take(now)) {
      this.#stats.rateLimited++;
      this.#warnThrottled("discovery packets dropped by rate limit", now, { addr: address });
      return;
    }
    const announcement = decodeAnnouncement(bytes);
    if (!announcement) {
      this.#stats.malformed++;
      this.#logger.debug("discovery packet ignored: not an announcement", {
        addr: address,
        bytes: bytes.length,
      });
      return;
    }
    if (
      announcement.fingerprint !== undefined && announcement.node_id !== undefined &&
      !announcement.fingerprint.startsWith(announcement.node_id)
    ) {
      // The node id is the start of the key fingerprint: this packet was made up.
      this.#stats.malformed++;
      return;
    }
    if (announcement.node_id === this.#options.nodeId) {
      this.#stats.own++;
      return;
    }
    this.#stats.processed++;
    this.#observe(announcement, address, now);
  }

  #observe(announcement: Announcement, address: string, now: number): void {
    const { kind, entry } = this.#registry.observe(announcement, address, now);
    switch (kind) {
      case "new":
      case "restarted":
        this.#logger.info(kind === "new" ? "node found" : "node restarted", {
          id: entry!.nodeId,
          name: entry!.name,
          addr: address,
          legacy: entry!.legacy || undefined,
        });
        // Answer a newcomer directly, so it need not wait for our next announcement. Never
        // answer an answer: that would loop.
        if (!announcement.reply && this.#replies.allow(address, now)) {
          void this.#send(this.#packet("ONLINE", true), address);
        }
        this.#emitSeen(entry!, kind);
        break;
      case "updated":
        this.#emitSeen(entry!, "updated");
        break;
      case "removed":
        this.#logger.info("node lost", { id: entry!.nodeId, reason: "offline" });
        this.#emitLost(entry!, "offline");
        break;
      case "full":
        this.#warnThrottled("discovery table full: new node ignored", now, {
          addr: address,
          max: this.#registry.maxEntries,
        });
        break;
      case "refreshed":
      case "ignored":
        break;
    }
  }

  #expire(): void {
    const now = this.#clock.now();
    for (const entry of this.#registry.expire(now)) {
      this.#logger.info("node lost", { id: entry.nodeId, reason: "timeout" });
      this.#emitLost(entry, "timeout");
    }
    this.#perSource.prune(now);
    this.#replies.prune(now);
  }

  #scheduleAnnounce(): void {
    this.#timers.announce = this.#clock.setTimeout(() => {
      if (this.#state !== "running") return;
      this.#scheduleAnnounce();
      void this.announce();
    }, this.#options.announceIntervalMs!);
  }

  /**
   * Wakes when the oldest entry falls due (an idle node does not wake every second to find
   * nothing to expire), at most once per `expireIntervalMs`; with no entry, after one timeout.
   * An entry added meanwhile falls due later than that, so it is never checked late by more
   * than one interval.
   */
  #scheduleExpire(): void {
    const now = this.#clock.now();
    const due = this.#registry.nextExpiry() ?? now + this.#registry.timeoutMs;
    const delay = Math.max(
      this.#options.expireIntervalMs ?? DEFAULT_EXPIRE_INTERVAL_MS,
      due - now + 1,
    );
    this.#timers.expire = this.#clock.setTimeout(() => {
      if (this.#state !== "running") return;
      this.#expire();
      this.#scheduleExpire();
    }, delay);
  }

  #packet(type: "ONLINE" | "OFFLINE", reply: boolean): Uint8Array {
    const o = this.#options;
    return encodeAnnouncement(createAnnouncement({
      type,
      nodeId: o.nodeId,
      name: o.settings().name,
      hasLlm: o.hasLlm?.() ?? false,
      peerPort: o.peerPort,
      httpPort: o.httpPort,
      protocolVersion: o.protocolVersion ?? PROTOCOL_VERSION,
      reply,
      fingerprint: o.fingerprint,
      instance: this.#instance,
      now: this.#clock.now(),
    }));
  }

  #targets(): readonly string[] {
    const { targets } = this.#options;
    if (typeof targets !== "function") return targets;
    try {
      return targets();
    } catch (error) {
      this.#logger.warn("discovery targets unavailable", { error });
      return [];
    }
  }

  async #send(bytes: Uint8Array, host: string): Promise<void> {
    try {
      await this.#transport.send(bytes, host, this.discoveryPort);
      this.#stats.sent++;
    } catch (error) {
      // A missing route on one interface must not stop discovery on the others.
      this.#stats.sendErrors++;
      this.#logger.debug("discovery send failed", { host, error });
    }
  }

  #emitSeen(entry: NodeEntry, kind: NodeSeenKind): void {
    this.#emit("onNodeSeen", this.#seen, entry, kind);
  }

  #emitLost(entry: NodeEntry, reason: NodeLostReason): void {
    this.#emit("onNodeLost", this.#lost, entry, reason);
  }

  /** Calls each listener; one that throws is logged and does not stop the others. */
  #emit<K extends string>(
    event: string,
    listeners: Set<(entry: NodeEntry, detail: K) => void>,
    entry: NodeEntry,
    detail: K,
  ): void {
    for (const callback of listeners) {
      try {
        callback(entry, detail);
      } catch (error) {
        this.#logger.error(`discovery ${event} listener failed`, { id: entry.nodeId, error });
      }
    }
  }

  #warnThrottled(event: string, now: number, fields: Record<string, unknown>): void {
    if (now - this.#lastWarnAt < WARN_EVERY_MS) return;
    this.#lastWarnAt = now;
    this.#logger.warn(event, fields);
  }
}
