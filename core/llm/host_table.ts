import type { PeerRef } from "../peers/bus.ts";
import type { LlmCapability, RefusalCode } from "../wire/messages/llm.ts";
import type { HostCandidate } from "./router.ts";

export type AccessState = "unknown" | "granted" | "refused";

/** What this node knows about one linked peer as an LLM host. */
export interface HostStatus {
  nodeId: string;
  name: string;
  address: string;
  /** Last capability the peer announced; undefined until its first `LLMC:`. */
  capability?: LlmCapability;
  updatedAt: number;
  /** Moving average of time to first token, ms. */
  latencyMs?: number;
  healthy: boolean;
  consecutiveFailures: number;
  lastError?: string;
  /** Streams this node has open to that host right now. */
  open: number;
  access: AccessState;
  accessReason?: RefusalCode;
  accessMessage?: string;
}

interface Entry {
  peer: PeerRef;
  capability?: LlmCapability;
  updatedAt: number;
  latencyMs?: number;
  consecutiveFailures: number;
  unhealthyUntil: number;
  lastError?: string;
  open: number;
  access: { state: AccessState; until: number; reason?: RefusalCode; message?: string };
}

export interface HostTableOptions {
  /** Weight of a new latency sample in the moving average. @default 0.3 */
  latencyAlpha?: number;
  /** How long a host that failed is ranked as unhealthy. @default 15_000 */
  unhealthyMs?: number;
}

/**
 * Every linked peer's last capability, latency average and health, kept by the client side of
 * LLM sharing. A peer is forgotten the moment its link goes down.
 */
export class HostTable {
  #entries = new Map<string, Entry>();
  readonly #alpha: number;
  readonly #unhealthyMs: number;

  constructor(private readonly now: () => number, options: HostTableOptions = {}) {
    this.#alpha = options.latencyAlpha ?? 0.3;
    this.#unhealthyMs = options.unhealthyMs ?? 15_000;
  }

  /** Stores a peer's capability; returns true when the model list or availability changed. */
  setCapability(peer: PeerRef, capability: LlmCapability): boolean {
    const entry = this.#entry(peer);
    const before = entry.capability;
    entry.capability = capability;
    entry.updatedAt = this.now();
    return !before || offerKey(before) !== offerKey(capability);
  }

  /** Forgets a peer (link down); returns true when it had offered something. */
  remove(peerId: string): boolean {
    const entry = this.#entries.get(peerId);
    this.#entries.delete(peerId);
    return !!entry?.capability && offerKey(entry.capability) !== "";
  }

  has(peerId: string): boolean {
    return this.#entries.has(peerId);
  }
  peer(peerId: string): PeerRef | undefined {
    return this.#entries.get(peerId)?.peer;
  }

  recordLatency(peerId: string, ms: number): void {
    const entry = this.#entries.get(peerId);
    if (!entry) return;
    entry.latencyMs = entry.latencyMs === undefined
      ? ms
      : entry.latencyMs + this.#alpha * (ms - entry.latencyMs);
  }
  recordSuccess(peerId: string): void {
    const entry = this.#entries.get(peerId);
    if (!entry) return;
    entry.consecutiveFailures = 0;
    entry.unhealthyUntil = 0;
    entry.lastError = undefined;
  }
  recordFailure(peerId: string, error: string): void {
    const entry = this.#entries.get(peerId);
    if (!entry) return;
    entry.consecutiveFailures++;
    entry.unhealthyUntil = this.now() + this.#unhealthyMs;
    entry.lastError = error;
  }
  /** Counts this node's own open streams to the host (+1 on start, -1 on end). */
  adjustOpen(peerId: string, delta: 1 | -1): void {
    const entry = this.#entries.get(peerId);
    if (entry) entry.open = Math.max(0, entry.open + delta);
  }

  /** Caches the host's answer to `LREQ:` for `ttlMs`. */
  setAccess(
    peerId: string,
    granted: boolean,
    ttlMs: number,
    reason?: RefusalCode,
    message?: string,
  ): void {
    const entry = this.#entries.get(peerId);
    if (!entry) return;
    entry.access = {
      state: granted ? "granted" : "refused",
      until: this.now() + ttlMs,
      reason,
      message,
    };
  }
  accessOf(peerId: string): { state: AccessState; reason?: RefusalCode; message?: string } {
    const access = this.#entries.get(peerId)?.access;
    if (!access || access.state === "unknown" || access.until <= this.now()) {
      return { state: "unknown" };
    }
    return { state: access.state, reason: access.reason, message: access.message };
  }

  /** Remote hosts the router may consider: they offer models and have not refused us. */
  candidates(): HostCandidate[] {
    const now = this.now();
    const out: HostCandidate[] = [];
    for (const entry of this.#entries.values()) {
      const cap = entry.capability;
      if (!cap || !cap.available || !cap.serving || cap.models.length === 0) continue;
      if (this.accessOf(entry.peer.id).state === "refused") continue;
      out.push({
        id: entry.peer.id,
        name: entry.peer.name,
        local: false,
        models: cap.models.map((m) => ({ name: m.name, size: m.size })),
        // Our own streams count at once; the host's next announcement may lag behind.
        inFlight: Math.max(cap.inFlight, Math.min(entry.open, cap.capacity)),
        queued: Math.max(cap.queued, entry.open - cap.capacity),
        capacity: cap.capacity,
        queueLimit: cap.queueLimit,
        latencyMs: entry.latencyMs,
        healthy: entry.unhealthyUntil <= now,
      });
    }
    return out;
  }

  statuses(): HostStatus[] {
    const now = this.now();
    return [...this.#entries.values()].map((entry) => {
      const access = this.accessOf(entry.peer.id);
      return {
        nodeId: entry.peer.id,
        name: entry.peer.name,
        address: entry.peer.address,
        capability: entry.capability,
        updatedAt: entry.updatedAt,
        latencyMs: entry.latencyMs === undefined
          ? undefined
          : Math.round(entry.latencyMs * 10) / 10,
        healthy: entry.unhealthyUntil <= now,
        consecutiveFailures: entry.consecutiveFailures,
        lastError: entry.lastError,
        open: entry.open,
        access: access.state,
        accessReason: access.reason,
        accessMessage: access.message,
      };
    }).sort((a, b) => a.name.localeCompare(b.name) || a.nodeId.localeCompare(b.nodeId));
  }

  #entry(peer: PeerRef): Entry {
    let entry = this.#entries.get(peer.id);
    if (!entry) {
      entry = {
        peer,
        updatedAt: 0,
        consecutiveFailures: 0,
        unhealthyUntil: 0,
        open: 0,
        access: { state: "unknown", until: 0 },
      };
      this.#entries.set(peer.id, entry);
    }
    entry.peer = peer;
    return entry;
  }
}

/** The part of a capability that changes the mesh model list (not the load gauges). */
function offerKey(cap: LlmCapability): string {
  if (!cap.available || !cap.serving) return "";
  return cap.models.map((m) => `${m.name}@${m.digest ?? ""}:${m.size}`).sort().join("|");
}
