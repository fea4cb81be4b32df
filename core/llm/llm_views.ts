/**
 * What the LLM layer shows of itself, computed from snapshots without I/O: the capability a
 * node announces, its own status, the merged model offers of the mesh, the local host as a
 * routing candidate and one peer's summary for the status page.
 */
import type { LlmCapability } from "../wire/messages/llm.ts";
import type { PeerAccessCounters } from "./access_control.ts";
import type { BackendState } from "./backend_monitor.ts";
import type { HostStatus } from "./host_table.ts";
import type { ModelOffer } from "./mesh_model.ts";
import type { HostCandidate } from "./router.ts";

/** This node's own backend and load at one moment. */
export interface LocalSnapshot {
  nodeId: string;
  name: string;
  /** The backend's description (e.g. `ollama http://127.0.0.1:11434`), null without one. */
  backend: string | null;
  state: BackendState;
  /** Peers may use this node's LLM. */
  serving: boolean;
  inFlight: number;
  capacity: number;
  queued: number;
  queueLimit: number;
  tokensPerSecond: number;
  /** False for a while after the local backend failed a chat. */
  healthy: boolean;
}

/** This node's backend and load, as `/api/status` shows it. */
export interface LocalLlmStatus {
  nodeId: string;
  name: string;
  backend: string | null;
  available: boolean;
  version?: string;
  lastError?: string;
  serving: boolean;
  models: string[];
  inFlight: number;
  capacity: number;
  queued: number;
  queueLimit: number;
  tokensPerSecond: number;
}

/** A peer's LLM figures for the status page's peer table (PeerLlmView in core/status). */
export interface PeerLlmSummary {
  models: string[];
  load: { inFlight: number; capacity: number; queued: number } | null;
  tokensPerSec: number | null;
  access: { requests: number; granted: number; refused: number; limited: boolean } | null;
}

/** Most models announced in one `LLMC:`. */
const MAX_ANNOUNCED_MODELS = 2000;

/** What this node announces to peers in `LLMC:`. */
export function capabilityOf(local: LocalSnapshot): LlmCapability {
  const { state, serving } = local;
  return {
    available: state.available,
    serving,
    models: serving && state.available ? state.models.slice(0, MAX_ANNOUNCED_MODELS) : [],
    inFlight: local.inFlight,
    capacity: serving ? local.capacity : 0,
    queued: local.queued,
    queueLimit: local.queueLimit,
    tokensPerSecond: local.tokensPerSecond,
  };
}

export function localStatusOf(local: LocalSnapshot): LocalLlmStatus {
  const { state } = local;
  return {
    nodeId: local.nodeId,
    name: local.name,
    backend: local.backend,
    available: state.available,
    version: state.version,
    lastError: state.lastError,
    serving: local.serving,
    models: state.models.map((m) => m.name),
    inFlight: local.inFlight,
    capacity: local.capacity,
    queued: local.queued,
    queueLimit: local.queueLimit,
    tokensPerSecond: local.tokensPerSecond,
  };
}

/** The local backend as a place to route to; null while it is down or has no model. */
export function localCandidate(local: LocalSnapshot): HostCandidate | null {
  const { state } = local;
  if (!state.available || !state.models.length) return null;
  return {
    id: local.nodeId,
    name: local.name,
    local: true,
    models: state.models.map((m) => ({ name: m.name, size: m.size })),
    inFlight: local.inFlight,
    queued: local.queued,
    capacity: local.capacity,
    queueLimit: local.queueLimit,
    healthy: local.healthy,
  };
}

/** Every place that offers models now: this node first, then each serving peer not refusing us. */
export function modelOffers(local: LocalSnapshot, hosts: readonly HostStatus[]): ModelOffer[] {
  const offers: ModelOffer[] = [];
  if (local.state.available) {
    offers.push({
      host: {
        nodeId: local.nodeId,
        name: local.name,
        local: true,
        inFlight: local.inFlight,
        capacity: local.capacity,
        queued: local.queued,
        healthy: local.healthy,
      },
      models: local.state.models,
    });
  }
  for (const status of hosts) {
    const cap = status.capability;
    if (!cap || !cap.available || !cap.serving || status.access === "refused") continue;
    offers.push({
      host: {
        nodeId: status.nodeId,
        name: status.name,
        local: false,
        inFlight: cap.inFlight,
        capacity: cap.capacity,
        queued: cap.queued,
        healthy: status.healthy,
      },
      models: cap.models,
    });
  }
  return offers;
}

/**
 * One peer as the status page's peer table shows it: what it offers as a host (null fields
 * when it announced nothing) and what it asked of this node. Null when nothing is known of it.
 */
export function peerSummaryOf(
  host: HostStatus | undefined,
  counters: PeerAccessCounters | undefined,
): PeerLlmSummary | null {
  if (!host && !counters) return null;
  const cap = host?.capability;
  const offers = cap && cap.available && cap.serving;
  return {
    models: offers ? cap.models.map((m) => m.name) : [],
    load: offers ? { inFlight: cap.inFlight, capacity: cap.capacity, queued: cap.queued } : null,
    tokensPerSec: offers && cap.tokensPerSecond > 0 ? cap.tokensPerSecond : null,
    access: counters
      ? {
        requests: counters.requests,
        granted: counters.granted,
        refused: counters.refused,
        limited: counters.limited,
      }
      : null,
  };
}
