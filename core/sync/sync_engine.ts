/**
 * Conversation sync over the PeerBus.
 *
 * - Real time: each local change is pushed at once (`CONV:`) to every linked peer; a peer that
 *   learns something new from a push forwards it once to its other peers (merge only reports
 *   a version the first time it arrives), so relays are fast.
 * - Anti-entropy: on every link up, and every `antiEntropyMs` to a few peers in turn
 *   (anti_entropy.ts roundPeers), the node sends its version vector (`VVEC:`) to a peer, which
 *   answers with what is missing in bounded `CSYN:` frames. Pulls run one peer at a time, so a
 *   node catching up does not download the same records from everyone. After a pull brought
 *   something new, other peers are invited to pull from us.
 * - Nothing leaves when sharing is off, globally or for the conversation.
 * - Trust nobody's word for another node: every record must carry its origin's signature and
 *   obey authority.ts (only a conversation's owner writes it); anything else is dropped, never
 *   relayed, and reported once per peer. A peer's version vector never moves our own seq, and
 *   its watermarks are adopted only up to what we received ourselves.
 */
import type { PeerBus, PeerRef } from "../peers/bus.ts";
import { type Clock, systemClock, type TimerHandle } from "../time/clock.ts";
import type { Logger } from "../log/logger.ts";
import type { PayloadOf } from "../wire/messages/index.ts";
import {
  type BatchLimits,
  buildReply,
  chunkRecords,
  DEFAULT_BATCH_LIMITS,
  roundPeers,
} from "./anti_entropy.ts";
import type { HybridClock } from "../time/hlc.ts";
import { authorityProblem } from "./authority.ts";
import { type OriginKeys, SyncRecord, type VersionVector } from "./records.ts";
import type { RecordChecker } from "./record_signature.ts";
import type { Replica } from "./replica.ts";

export interface SyncEngineOptions {
  replica: Replica;
  bus: PeerBus;
  /** Checks records' signatures; knows (or learns) each origin's key. */
  verifier: RecordChecker;
  /** A peer sent records that fail verification or authority: reported once per link. */
  onForgery?: (from: PeerRef, problem: string) => void;
  /** Global sharing setting, read on every send. */
  sharing: () => boolean;
  antiEntropyMs: number;
  logger: Logger;
  /** The node's clock: stamps heard from peers are folded in. */
  hlc?: HybridClock;
  timers?: Clock;
  limits?: BatchLimits;
  /** A pull whose peer stays silent this long is given up (the next round retries). */
  pullTimeoutMs?: number;
  /** Records from peers that changed the replica. */
  onApplied?: (records: SyncRecord[], from: PeerRef) => void;
  /** A conversation pushed by an original (Rust) NeuroMesh peer. */
  onLegacyConversation?: (from: PeerRef, conversation: Record<string, unknown>) => void;
}

export class SyncEngine {
  readonly #o:
    & Required<
      Omit<SyncEngineOptions, "hlc" | "onApplied" | "onLegacyConversation" | "onForgery">
    >
    & SyncEngineOptions;
  #unsubscribe: (() => void)[] = [];
  #roundTimer: TimerHandle | null = null;
  /** The last peer a periodic round pulled from (rounds take turns, see roundPeers). */
  #lastRoundPeer: string | null = null;
  #queue: string[] = [];
  /** When a record of each origin was last applied (wall ms), for the sync lag metric. */
  readonly #lastApplied = new Map<string, number>();
  #inflight: { peerId: string; timer: TimerHandle; learned: boolean } | null = null;
  #running = false;
  /** Peers already reported for forged records since their link came up. */
  #reported = new Set<string>();

  constructor(options: SyncEngineOptions) {
    if (!(options.antiEntropyMs > 0)) {
      throw new RangeError(
        `antiEntropyMs must be a positive number of ms, got ${options.antiEntropyMs}`,
      );
    }
    this.#o = {
      timers: systemClock,
      limits: DEFAULT_BATCH_LIMITS,
      pullTimeoutMs: 15_000,
      ...options,
    };
  }

  /** Pulls waiting or running, and when a record of each origin was last applied (metrics). */
  stats(): { pendingPulls: number; lastAppliedAt: ReadonlyMap<string, number> } {
    return {
      pendingPulls: this.#queue.length + (this.#inflight ? 1 : 0),
      lastAppliedAt: this.#lastApplied,
    };
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    const { bus, replica, verifier } = this.#o;
    const ownKey = replica.originKey(replica.nodeId);
    if (ownKey) verifier.learn(replica.nodeId, ownKey);
    this.#unsubscribe = [
      bus.on("CONV:", (from, payload) => this.#onPush(from, payload)),
      bus.on("VVEC:", (from, payload) => this.#onVector(from, payload)),
      bus.on("CSYN:", (from, payload) => this.#onBatch(from, payload)),
      bus.onLinkUp((peer) => this.#onLinkUp(peer)),
      bus.onLinkDown((peer) => this.#onLinkLost(peer)),
    ];
    for (const peer of bus.linkedPeers()) this.pullFrom(peer.id);
    this.#scheduleRound();
  }

  stop(): void {
    if (!this.#running) return;
    this.#running = false;
    for (const unsubscribe of this.#unsubscribe) unsubscribe();
    this.#unsubscribe = [];
    if (this.#roundTimer !== null) this.#o.timers.clearTimeout(this.#roundTimer);
    this.#roundTimer = null;
    if (this.#inflight) this.#o.timers.clearTimeout(this.#inflight.timer);
    this.#inflight = null;
    this.#queue = [];
  }

  /** Pushes this node's new changes to every linked peer (what may be shared). */
  publish(records: SyncRecord[]): void {
    this.#broadcast(records);
  }

  /** Asks `peerId` for what we lack (queued: one pull at a time). */
  pullFrom(peerId: string): void {
    if (!this.#running || this.#inflight?.peerId === peerId || this.#queue.includes(peerId)) return;
    this.#queue.push(peerId);
    this.#pump();
  }

  /** Pulls from every peer now and invites them to pull from us (after sharing was turned on). */
  syncNow(): void {
    for (const peer of this.#o.bus.linkedPeers()) {
      this.pullFrom(peer.id);
      this.#inviteToPull(peer.id);
    }
  }

  // ---- handlers ------------------------------------------------------------------------

  #onPush(from: PeerRef, payload: PayloadOf<"CONV:">) {
    const records = (payload as { records?: unknown }).records;
    if (!Array.isArray(records)) {
      this.#o.onLegacyConversation?.(from, payload as Record<string, unknown>);
      return;
    }
    const winners = this.#apply(from, records, (payload as { keys?: OriginKeys }).keys);
    // Forward what was new to us, once, so peers that cannot reach the author get it now;
    // peers the push already reached are skipped.
    const reached = (payload as { reached?: string[] }).reached ?? [];
    this.#broadcast(winners, [from.id, ...reached]);
  }

  #onVector(from: PeerRef, payload: PayloadOf<"VVEC:">) {
    const { bus, replica, logger } = this.#o;
    // A peer that holds more of our own records than we do (our database was restored or
    // lost): fetch them back, signed by us. Its claim alone never moves our sequence.
    const self = replica.nodeId;
    if ((payload.vv[self] ?? 0) > (replica.versionVector()[self] ?? 0)) this.pullFrom(from.id);
    if (!this.#o.sharing()) {
      // No vector in the answer: the peer learns nothing and keeps its watermarks.
      bus.send(from.id, "CSYN:", { records: [], done: true });
      logger.debug("sync pull refused: sharing is off", { peer: from.id });
      return;
    }
    const batches = buildReply(replica, payload.vv, this.#o.limits);
    for (const batch of batches) {
      bus.send(from.id, "CSYN:", { ...batch, keys: this.#keysOf(batch.records) });
    }
    const sent = batches.reduce((n, b) => n + b.records.length, 0);
    if (sent > 0) {
      logger.debug("sync answered pull", { peer: from.id, records: sent, frames: batches.length });
    }
    if (payload.ask) this.pullFrom(from.id);
  }

  #onBatch(from: PeerRef, payload: PayloadOf<"CSYN:">) {
    const winners = this.#apply(from, payload.records, payload.keys);
    const inflight = this.#inflight?.peerId === from.id ? this.#inflight : null;
    if (!inflight) return; // an answer we did not ask for: its records merge, its vector is not trusted
    if (winners.length > 0) inflight.learned = true;
    this.#o.timers.clearTimeout(inflight.timer);
    if (!payload.done) {
      inflight.timer = this.#armPullTimeout(from.id);
      return;
    }
    if (payload.vv) {
      this.#safely(
        "raise watermarks",
        () => this.#o.replica.raiseWatermarks(payload.vv as VersionVector, from.id),
      );
    }
    this.#inflight = null;
    if (inflight.learned) {
      for (const peer of this.#o.bus.linkedPeers()) {
        if (peer.id !== from.id) this.#inviteToPull(peer.id);
      }
    }
    this.#pump();
  }

  #onLinkUp(peer: PeerRef) {
    // A link-up for a peer we are pulling from means its connection was replaced (a duplicate
    // swap or a quick reconnect): the request went out on the old one and its answer may never
    // come, so ask again on the new link instead of waiting for the pull timeout.
    if (this.#inflight?.peerId === peer.id) this.#onLinkDown(peer);
    this.pullFrom(peer.id);
  }

  /**
   * A link dies silently until heartbeats notice: pushes sent on it meanwhile were lost, and
   * relays skipped the peer because the push said it reached it. Catch up through the peers
   * still linked now, rather than at the next anti-entropy round.
   */
  #onLinkLost(peer: PeerRef) {
    this.#onLinkDown(peer);
    // A few peers, in turn, as a round does: one node leaving a mesh of fifty would otherwise
    // start 49 × 48 pulls at once.
    this.#pullRound(this.#o.bus.linkedPeers().map((p) => p.id).filter((id) => id !== peer.id));
  }

  /** Pulls from the next few of `linked` in turn (roundPeers). */
  #pullRound(linked: string[]) {
    const peers = roundPeers(linked, this.#lastRoundPeer);
    for (const id of peers) this.pullFrom(id);
    this.#lastRoundPeer = peers.at(-1) ?? this.#lastRoundPeer;
  }

  #onLinkDown(peer: PeerRef) {
    this.#reported.delete(peer.id);
    this.#queue = this.#queue.filter((id) => id !== peer.id);
    if (this.#inflight?.peerId === peer.id) {
      this.#o.timers.clearTimeout(this.#inflight.timer);
      this.#inflight = null;
      this.#pump();
    }
  }

  // ---- internals -----------------------------------------------------------------------

  /**
   * Validates each record on its own (schema, origin key, signature, authority), merges the
   * good ones, returns what changed the replica. A bad record costs only itself.
   */
  #apply(from: PeerRef, raw: unknown[], keys: OriginKeys = {}): SyncRecord[] {
    const { replica, verifier } = this.#o;
    const valid: SyncRecord[] = [];
    let invalid = 0;
    let firstProblem = "";
    let forged = 0;
    let firstForgery = "";
    // Owners of conversations created earlier in this same batch.
    const batchOwners = new Map<string, string>();
    for (const item of raw) {
      const parsed = SyncRecord.safeParse(item);
      if (!parsed.success) {
        invalid++;
        const issue = parsed.error.issues[0];
        firstProblem ||= `${issue.path.join(".") || "(root)"}: ${issue.message}`;
        continue;
      }
      // Checked and kept as sent: a field this version does not know (a newer node's) stays in
      // the value, so the origin's signature still verifies here and on every node it relays to.
      const record = { ...parsed.data, value: (item as { value: unknown }).value } as SyncRecord;
      const offered = verifier.keyOf(record.origin) === undefined
        ? replica.originKey(record.origin) ?? keys[record.origin]
        : undefined;
      const verdict = verifier.verify(record, offered);
      const conversationId = record.type === "conversation"
        ? record.value.id
        : record.value.conversationId;
      const problem = verdict.ok
        ? authorityProblem(
          record,
          batchOwners.get(conversationId) ?? replica.conversationOwner(conversationId),
        )
        : verdict.problem;
      if (problem !== null) {
        forged++;
        firstForgery ||= problem;
        continue;
      }
      if (record.type === "conversation") batchOwners.set(conversationId, record.value.originNode);
      valid.push(record);
    }
    if (invalid > 0) {
      this.#o.logger.warn("sync records dropped: invalid", {
        peer: from.id,
        dropped: invalid,
        problem: firstProblem,
      });
    }
    if (forged > 0) this.#reportForgery(from, forged, firstForgery);
    if (valid.length === 0) return [];
    // Keys are kept once a record of theirs verified: a frame of keys alone stores nothing.
    for (const origin of new Set(valid.map((r) => r.origin))) {
      const key = verifier.keyOf(origin);
      if (key && replica.originKey(origin) === undefined) replica.rememberKey(origin, key);
    }
    for (const record of valid) this.#o.hlc?.receive(record.value.hlc);
    const winners = this.#safely("apply records", () => replica.applyRemote(valid)) ?? [];
    if (winners.length > 0) {
      for (const record of winners) this.#lastApplied.set(record.origin, Date.now());
      this.#safely("report applied records", () => this.#o.onApplied?.(winners, from));
    }
    return winners;
  }

  #broadcast(records: SyncRecord[], alreadyReached: string[] = []) {
    if (records.length === 0 || !this.#o.sharing()) return;
    const shareable = records.filter((record) => this.#o.replica.isShareable(record));
    if (shareable.length === 0) return;
    const skip = new Set(alreadyReached);
    const targets = this.#o.bus.linkedPeers().filter((peer) => !skip.has(peer.id));
    if (targets.length === 0) return;
    const reached = [...new Set([...alreadyReached, ...targets.map((p) => p.id)])];
    for (const batch of chunkRecords(shareable, this.#o.limits)) {
      const payload = { records: batch, reached, keys: this.#keysOf(batch) };
      for (const peer of targets) this.#o.bus.send(peer.id, "CONV:", payload);
    }
  }

  /** The keys of the origins of `records`, so receivers can check them whoever relays. */
  #keysOf(records: SyncRecord[]): OriginKeys {
    const keys: OriginKeys = {};
    for (const { origin } of records) {
      if (origin in keys) continue;
      const key = this.#o.verifier.keyOf(origin) ?? this.#o.replica.originKey(origin);
      if (key) keys[origin] = key;
    }
    return keys;
  }

  #reportForgery(from: PeerRef, count: number, problem: string) {
    this.#o.logger.warn("sync records dropped: not signed by their origin or not its to write", {
      peer: from.id,
      dropped: count,
      problem,
    });
    if (this.#reported.has(from.id)) return;
    this.#reported.add(from.id);
    this.#safely("report forged records", () => this.#o.onForgery?.(from, problem));
  }

  #inviteToPull(peerId: string) {
    if (!this.#o.sharing()) return;
    this.#o.bus.send(peerId, "VVEC:", { vv: this.#o.replica.versionVector(), ask: true });
  }

  #pump() {
    while (this.#running && !this.#inflight && this.#queue.length > 0) {
      const peerId = this.#queue.shift()!;
      if (this.#o.bus.send(peerId, "VVEC:", { vv: this.#o.replica.versionVector() })) {
        this.#inflight = { peerId, timer: this.#armPullTimeout(peerId), learned: false };
      }
    }
  }

  #armPullTimeout(peerId: string): TimerHandle {
    return this.#o.timers.setTimeout(() => {
      if (this.#inflight?.peerId !== peerId) return;
      this.#o.logger.info("sync pull timed out", { peer: peerId, afterMs: this.#o.pullTimeoutMs });
      this.#inflight = null;
      this.#pump();
    }, this.#o.pullTimeoutMs);
  }

  #scheduleRound() {
    this.#roundTimer = this.#o.timers.setTimeout(() => {
      this.#roundTimer = null;
      if (!this.#running) return;
      this.#pullRound(this.#o.bus.linkedPeers().map((p) => p.id));
      this.#scheduleRound();
    }, this.#o.antiEntropyMs);
  }

  #safely<T>(what: string, fn: () => T): T | undefined {
    try {
      return fn();
    } catch (error) {
      this.#o.logger.error(`sync failed to ${what}`, { error });
      return undefined;
    }
  }
}
