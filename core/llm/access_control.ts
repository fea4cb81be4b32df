import { CidrSet, DEFAULT_ALLOWED_CIDRS } from "../net/cidr.ts";
import type { PeerRef } from "../peers/bus.ts";
import type { RefusalCode } from "../wire/messages/llm.ts";
import { RateLimiter } from "./rate_limiter.ts";

/** Who may use this node's LLM, and how often. Changes apply at once (`update`). */
export interface AccessPolicy {
  /** False: this node serves no peer at all. */
  serveLlm: boolean;
  /** Extra allowed ranges on top of the private/loopback defaults. */
  allowCidr: readonly string[];
  /** Ranges refused even when allowed. */
  blockCidr: readonly string[];
  /** Requests per minute per peer. */
  rateLimit: number;
}

export interface Refusal {
  code: RefusalCode;
  message: string;
  retryAfterMs?: number;
}

/** Per-peer counters, as `/api/status` shows them. */
export interface PeerAccessCounters {
  peerId: string;
  name: string;
  address: string;
  /** Inference requests received (`INFR:`). */
  requests: number;
  /** Requests admitted (rate and access passed, a slot obtained). */
  granted: number;
  /** Requests refused, all reasons. */
  refused: number;
  refusedBy: Partial<Record<RefusalCode, number>>;
  /** Access requests (`LREQ:`) answered. */
  accessRequests: number;
  inFlight: number;
  queued: number;
  /** True while the peer has used up its per-minute allowance. */
  limited: boolean;
  /** Clock ms of the last request, 0 if none. */
  lastRequestAt: number;
}

/**
 * The host's gatekeeper for peers: address ranges, the serving switch and the per-peer rate
 * limit, plus the counters behind the status page. Capacity is the SlotPool's job.
 */
export class AccessControl {
  #allowed!: CidrSet;
  #blocked!: CidrSet;
  #serving!: boolean;
  #limiter: RateLimiter;
  #counters = new Map<string, PeerAccessCounters>();

  constructor(policy: AccessPolicy, private readonly now: () => number) {
    this.#limiter = new RateLimiter(policy.rateLimit, now);
    this.update(policy);
  }

  update(policy: AccessPolicy): void {
    this.#allowed = new CidrSet([...DEFAULT_ALLOWED_CIDRS, ...policy.allowCidr]);
    this.#blocked = new CidrSet(policy.blockCidr);
    this.#serving = policy.serveLlm;
    this.#limiter.setRate(policy.rateLimit);
  }

  get serving(): boolean {
    return this.#serving;
  }
  get rateLimit(): number {
    return this.#limiter.perMinute;
  }

  /** May this peer use the LLM at all? (no rate token taken) */
  checkPeer(peer: PeerRef): Refusal | undefined {
    if (!this.#serving) {
      return { code: "not_serving", message: "this node does not serve its LLM to peers" };
    }
    if (this.#blocked.matches(peer.address)) {
      return { code: "blocked", message: `peer address ${peer.address} is in a blocked range` };
    }
    if (!this.#allowed.matches(peer.address)) {
      return {
        code: "forbidden",
        message: `peer address ${peer.address} is outside the allowed ranges (${
          this.#allowed.texts.join(", ")
        })`,
      };
    }
    return undefined;
  }

  /** Answers an access request (`LREQ:`), counting it. */
  answerAccess(peer: PeerRef): Refusal | undefined {
    this.#entry(peer).accessRequests++;
    return this.checkPeer(peer);
  }

  /** Checks a new inference request and takes a rate token; counts the request and any refusal. */
  admitRequest(peer: PeerRef): Refusal | undefined {
    const entry = this.#entry(peer);
    entry.requests++;
    entry.lastRequestAt = this.now();
    const refusal = this.checkPeer(peer) ?? this.#rate(peer);
    if (refusal) this.recordRefusal(peer, refusal.code);
    return refusal;
  }

  #rate(peer: PeerRef): Refusal | undefined {
    const decision = this.#limiter.take(peer.id);
    if (decision.allowed) return undefined;
    return {
      code: "rate_limited",
      message: `peer ${peer.name} is over ${this.#limiter.perMinute} requests per minute`,
      retryAfterMs: decision.retryAfterMs,
    };
  }

  recordRefusal(peer: PeerRef, code: RefusalCode): void {
    const entry = this.#entry(peer);
    entry.refused++;
    entry.refusedBy[code] = (entry.refusedBy[code] ?? 0) + 1;
  }
  recordGranted(peer: PeerRef): void {
    this.#entry(peer).granted++;
  }
  /** Adjusts the live gauges: `queued`/`inFlight` by +1 or -1. */
  adjust(peer: PeerRef, gauge: "queued" | "inFlight", delta: 1 | -1): void {
    const entry = this.#entry(peer);
    entry[gauge] = Math.max(0, entry[gauge] + delta);
  }

  counters(): PeerAccessCounters[] {
    this.#limiter.prune();
    return [...this.#counters.values()]
      .map((entry) => ({
        ...entry,
        refusedBy: { ...entry.refusedBy },
        limited: this.#limiter.isLimited(entry.peerId),
      }))
      .sort((a, b) => a.name.localeCompare(b.name) || a.peerId.localeCompare(b.peerId));
  }

  #entry(peer: PeerRef): PeerAccessCounters {
    let entry = this.#counters.get(peer.id);
    if (!entry) {
      entry = {
        peerId: peer.id,
        name: peer.name,
        address: peer.address,
        requests: 0,
        granted: 0,
        refused: 0,
        refusedBy: {},
        accessRequests: 0,
        inFlight: 0,
        queued: 0,
        limited: false,
        lastRequestAt: 0,
      };
      this.#counters.set(peer.id, entry);
    }
    entry.name = peer.name;
    entry.address = peer.address;
    return entry;
  }
}
