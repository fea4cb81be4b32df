import type { EventHub } from "../events/hub.ts";
import type { PeerBus, PeerRef } from "../peers/bus.ts";
import { systemClock } from "../time/clock.ts";
import { RecordVerifier } from "../sync/record_signature.ts";
import { SyncEngine } from "../sync/sync_engine.ts";
import { HybridClock } from "../time/hlc.ts";
import { ConversationEvents } from "./conversation_events.ts";
import { ConversationService, type ConversationServiceOptions } from "./service.ts";

export interface ConversationServiceDeps extends
  Pick<
    ConversationServiceOptions,
    | "nodeId"
    | "settings"
    | "store"
    | "chat"
    | "logger"
    | "isLlmHost"
    | "timers"
    | "wallClock"
    | "flushIntervalMs"
  > {
  bus: PeerBus;
  events: EventHub;
  /** Period of sync's anti-entropy rounds. */
  antiEntropyMs: number;
  /** Checks the signatures of records from peers. @default a verifier binding ids to key hashes */
  verifier?: RecordVerifier;
  /** A peer sent records that fail verification or authority (once per link). */
  onForgery?: (from: PeerRef, problem: string) => void;
}

/**
 * Builds the conversation service with its collaborators: the node's hybrid clock (continuing
 * from the last stamp stored), the sync engine over the peer bus and the live events.
 */
export function createConversationService(deps: ConversationServiceDeps): ConversationService {
  const wallClock = deps.wallClock ?? Date.now;
  const timers = deps.timers ?? systemClock;
  const hlc = new HybridClock(deps.nodeId, { wallClock, last: deps.store.lastOwnHlc() });
  const published = new ConversationEvents(deps.events, deps.store, deps.nodeId);
  const sync = new SyncEngine({
    replica: deps.store,
    bus: deps.bus,
    sharing: () => deps.settings().sharing,
    antiEntropyMs: deps.antiEntropyMs,
    logger: deps.logger.child("sync"),
    hlc,
    timers,
    verifier: deps.verifier ?? new RecordVerifier(),
    onForgery: deps.onForgery,
    onApplied: (records) => published.received(records),
    // Sync reports a push of an original peer to the service built below, once running.
    onLegacyConversation: (from, payload) => service.receiveLegacy(from, payload),
  });
  const service: ConversationService = new ConversationService({
    nodeId: deps.nodeId,
    settings: deps.settings,
    store: deps.store,
    hlc,
    sync,
    chat: deps.chat,
    published,
    logger: deps.logger,
    isLlmHost: deps.isLlmHost,
    timers,
    wallClock,
    flushIntervalMs: deps.flushIntervalMs,
  });
  return service;
}
