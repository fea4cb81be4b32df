import type { Config } from "../config/schema.ts";
import type { EventHub } from "../events/hub.ts";
import type { Logger } from "../log/logger.ts";
import type { PeerBus, PeerRef } from "../peers/bus.ts";
import { type Clock, systemClock, type TimerHandle } from "../peers/clock.ts";
import type { LlmCapability } from "../wire/messages/llm.ts";
import { AccessControl, type PeerAccessCounters } from "./access_control.ts";
import { type BackendChunk, BackendError, backendRequest, type LlmBackend } from "./backend.ts";
import { BackendMonitor } from "./backend_monitor.ts";
import { CapabilityAnnouncer } from "./capability_announcer.ts";
import {
  type ChatChunk,
  ChatError,
  type ChatRequest,
  type ChatService,
  type ChatTurn,
  type ServedBy,
} from "./chat.ts";
import { type HostStatus, HostTable } from "./host_table.ts";
import { HostFailure, type HostFailureCode, InferenceClient } from "./inference_client.ts";
import { InferenceServer } from "./inference_server.ts";
import { LocalEngine } from "./local_engine.ts";
import { mergeModels, type MeshModel, type ModelOffer } from "./mesh_model.ts";
import { type HostCandidate, route, type RouteDecision } from "./router.ts";
import { BusyError, SlotPool } from "./slot_pool.ts";

/** Settings of LLM sharing that may change while the node runs. */
export type LlmSettings =
  & Pick<Config, "allowCidr" | "blockCidr" | "rateLimit" | "capacity" | "queueSize">
  & {
    /** Serve this node's backend to peers. @default true */
    serveLlm?: boolean;
  };

/** Timings, all with defaults; tests shorten them. */
export interface MeshLlmTuning {
  /** Backend probe period. @default 10_000 */
  monitorIntervalMs?: number;
  /** Longest wait for a slot in the local queue. @default 120_000 */
  queueTimeoutMs?: number;
  /** A remote stream silent this long is failed over. @default 300_000 */
  streamIdleTimeoutMs?: number;
  /** Longest wait for an `LRES:`. @default 5_000 */
  accessTimeoutMs?: number;
  /** How long peers may reuse a grant from this host. @default 300_000 */
  grantTtlMs?: number;
  /** How long peers should respect a refusal from this host. @default 30_000 */
  refusalTtlMs?: number;
  /** Token coalescing window on the host. @default 15 */
  flushMs?: number;
  /** A host that failed is ranked last for this long. @default 15_000 */
  unhealthyMs?: number;
  /** Minimum gap between capability broadcasts. @default 100 */
  capabilityIntervalMs?: number;
  /** Minimum gap between change notifications (UI). @default 250 */
  changeIntervalMs?: number;
}

export interface MeshLlmOptions {
  identity: { nodeId: string; name: string };
  config: LlmSettings;
  bus: PeerBus;
  /** The local LLM server, or null when this node has none (client only). */
  backend: LlmBackend | null;
  logger: Logger;
  events?: EventHub;
  clock?: Clock;
  tuning?: MeshLlmTuning;
}

/** This node's own backend, as `/api/status` shows it. */
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

/** A peer's LLM figures for the status page's peer table. */
export interface PeerLlmSummary {
  models: string[];
  load: { inFlight: number; capacity: number; queued: number } | null;
  tokensPerSec: number | null;
  access: { requests: number; granted: number; refused: number; limited: boolean } | null;
}

/** What the HTTP layer needs from the LLM layer. */
export interface MeshLlmApi extends ChatService {
  models(): MeshModel[];
  readonly hasLlm: boolean;
  /** Version of the local backend (e.g. Ollama's), if known. */
  backendVersion(): string | undefined;
}

/** Appends the partial answer as the trailing assistant message, so a host continues it. */
export function continuation(messages: readonly ChatTurn[], partial: string): ChatTurn[] {
  const last = messages.at(-1);
  if (last?.role === "assistant") {
    return [...messages.slice(0, -1), { ...last, content: last.content + partial }];
  }
  return [...messages, { role: "assistant", content: partial }];
}

interface Attempt {
  host: string;
  code: HostFailureCode;
  message: string;
}

const MAX_AFFINITY = 1_000;

/**
 * LLM sharing for one node: serves its backend to peers, knows the peers' offers, and answers
 * chats by routing each to the best host (local or remote) with failover — the production
 * ChatService.
 */
export class MeshLlm implements MeshLlmApi {
  readonly #id: { nodeId: string; name: string };
  readonly #bus: PeerBus;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #events?: EventHub;
  readonly #monitor: BackendMonitor;
  readonly #slots: SlotPool;
  readonly #engine: LocalEngine;
  readonly #access: AccessControl;
  readonly #hosts: HostTable;
  readonly #server: InferenceServer;
  readonly #client: InferenceClient;
  readonly #announcer: CapabilityAnnouncer;
  readonly #affinity = new Map<string, string>();
  readonly #pendingAccess = new Map<string, Promise<void>>();
  readonly #listeners = new Set<() => void>();
  readonly #unsubscribe: (() => void)[] = [];
  readonly #changeIntervalMs: number;
  readonly #unhealthyMs: number;
  #settings: LlmSettings;
  #localUnhealthyUntil = 0;
  #changeTimer: TimerHandle | undefined;
  #lastChangeAt = Number.NEGATIVE_INFINITY;
  #closed = false;

  constructor(options: MeshLlmOptions) {
    const tuning = options.tuning ?? {};
    this.#id = { nodeId: options.identity.nodeId, name: options.identity.name };
    this.#settings = pickSettings(options.config);
    this.#bus = options.bus;
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger;
    this.#events = options.events;
    this.#changeIntervalMs = tuning.changeIntervalMs ?? 250;
    this.#unhealthyMs = tuning.unhealthyMs ?? 15_000;
    const now = () => this.#clock.now();
    this.#monitor = new BackendMonitor({
      backend: options.backend,
      clock: this.#clock,
      logger: this.#logger,
      intervalMs: tuning.monitorIntervalMs,
    });
    this.#slots = new SlotPool(
      options.config.capacity,
      options.config.queueSize,
      this.#clock,
      tuning.queueTimeoutMs,
    );
    this.#engine = new LocalEngine(this.#monitor, this.#slots, this.#clock);
    this.#access = new AccessControl(policyOf(this.#settings), now);
    this.#hosts = new HostTable(now, { unhealthyMs: this.#unhealthyMs });
    this.#server = new InferenceServer({
      bus: this.#bus,
      engine: this.#engine,
      access: this.#access,
      clock: this.#clock,
      logger: this.#logger,
      grantTtlMs: tuning.grantTtlMs,
      refusalTtlMs: tuning.refusalTtlMs,
      flushMs: tuning.flushMs,
    });
    this.#client = new InferenceClient({
      bus: this.#bus,
      clock: this.#clock,
      idleTimeoutMs: tuning.streamIdleTimeoutMs,
      accessTimeoutMs: tuning.accessTimeoutMs,
    });
    this.#announcer = new CapabilityAnnouncer(
      this.#bus,
      this.#clock,
      () => this.capability(),
      tuning.capabilityIntervalMs,
    );
    this.#unsubscribe.push(
      this.#monitor.onChange(() => {
        this.#announcer.changed();
        this.#changed();
      }),
      this.#slots.onChange(() => {
        this.#announcer.changed();
        this.#changed();
      }),
      this.#bus.on("LLMC:", (peer, capability) => {
        this.#hosts.setCapability(peer, capability);
        this.#changed();
      }),
      this.#bus.onLinkDown((peer) => {
        if (this.#hosts.remove(peer.id)) this.#logger.info("llm host gone", { peer: peer.name });
        this.#changed();
      }),
    );
  }

  /** Probes the backend once (so `hasLlm` is known), then keeps watching it. */
  async start(): Promise<void> {
    await this.#monitor.start();
  }

  get nodeId(): string {
    return this.#id.nodeId;
  }

  /** True while the local backend answers: this node is an LLM host. */
  get hasLlm(): boolean {
    return this.#monitor.state.available;
  }

  backendVersion(): string | undefined {
    return this.#monitor.state.version;
  }

  /** What this node announces to peers in `LLMC:`. */
  capability(): LlmCapability {
    const state = this.#monitor.state;
    const serving = this.#access.serving;
    return {
      available: state.available,
      serving,
      models: serving && state.available ? state.models.slice(0, 2000) : [],
      inFlight: this.#slots.inFlight,
      capacity: serving ? this.#slots.capacity : 0,
      queued: this.#slots.queued,
      queueLimit: this.#slots.queueLimit,
      tokensPerSecond: this.#engine.throughput.tokensPerSecond(),
    };
  }

  /** The merged mesh model list: each model with every host that has it. */
  models(): MeshModel[] {
    const offers: ModelOffer[] = [];
    const state = this.#monitor.state;
    if (state.available) {
      offers.push({
        host: {
          nodeId: this.#id.nodeId,
          name: this.#id.name,
          local: true,
          inFlight: this.#slots.inFlight,
          capacity: this.#slots.capacity,
          queued: this.#slots.queued,
          healthy: this.#localUnhealthyUntil <= this.#clock.now(),
        },
        models: state.models,
      });
    }
    for (const status of this.#hosts.statuses()) {
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
    return mergeModels(offers);
  }

  /** Every linked peer as an LLM host: capability, latency, health, access state. */
  hostStatus(): HostStatus[] {
    return this.#hosts.statuses();
  }

  /** This node's backend and load. */
  localStatus(): LocalLlmStatus {
    const state = this.#monitor.state;
    return {
      nodeId: this.#id.nodeId,
      name: this.#id.name,
      backend: this.#monitor.backend?.description ?? null,
      available: state.available,
      version: state.version,
      lastError: state.lastError,
      serving: this.#access.serving,
      models: state.models.map((m) => m.name),
      inFlight: this.#slots.inFlight,
      capacity: this.#slots.capacity,
      queued: this.#slots.queued,
      queueLimit: this.#slots.queueLimit,
      tokensPerSecond: this.#engine.throughput.tokensPerSecond(),
    };
  }

  /**
   * One peer as the status page's peer table shows it: what it offers as a host (null fields
   * when it announced nothing) and what it asked of this node. Null when the LLM layer knows
   * nothing of it. (Same shape as PeerLlmView in core/status/peer_views.ts.)
   */
  peerSummary(nodeId: string): PeerLlmSummary | null {
    const host = this.#hosts.statuses().find((h) => h.nodeId === nodeId);
    const counters = this.#access.counters().find((c) => c.peerId === nodeId);
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

  /** Per-peer counters of requests this node served or refused as a host. */
  accessCounters(): PeerAccessCounters[] {
    return this.#access.counters();
  }

  /** Called (coalesced) when the model list, hosts, or load changed. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Applies changed settings at once (capacity, queue, serving, ranges, rate limit). */
  updateSettings(patch: Partial<LlmSettings>): void {
    this.#settings = pickSettings({ ...this.#settings, ...patch });
    this.#access.update(policyOf(this.#settings));
    this.#slots.resize(this.#settings.capacity, this.#settings.queueSize);
    this.#announcer.changed();
    this.#changed();
  }

  /** Switches the local backend (e.g. a new Ollama URL) and probes it. */
  setBackend(backend: LlmBackend | null): Promise<void> {
    return this.#monitor.setBackend(backend);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const off of this.#unsubscribe) off();
    this.#announcer.close();
    this.#monitor.close();
    this.#server.close();
    this.#client.close();
    this.#slots.close();
    if (this.#changeTimer !== undefined) this.#clock.clearTimeout(this.#changeTimer);
    this.#changeTimer = undefined;
  }

  // ---- chat ----

  async *chat(request: ChatRequest, signal?: AbortSignal): AsyncIterable<ChatChunk> {
    if (this.#closed) throw new ChatError("this node is shutting down", "no_host");
    if (!request.messages?.length) throw new ChatError("messages must not be empty", "bad_request");
    const exclude = new Set<string>();
    const attempts: Attempt[] = [];
    let partial = "";
    let failedFrom: ServedBy | undefined;
    const affinityKey = request.conversationId;
    for (let round = 0; round < 16; round++) {
      const decision = route({
        model: request.model,
        candidates: this.#candidates(),
        preferredHost: request.preferredHost,
        affinityHost: affinityKey ? this.#affinity.get(affinityKey) : undefined,
        exclude,
      });
      if (decision.kind !== "serve") throw this.#finalError(decision, attempts);
      const host = decision.host;
      const servedBy: ServedBy = { nodeId: host.id, nodeName: host.name, model: decision.model };
      const turns = partial ? continuation(request.messages, partial) : request.messages;
      let first = true;
      let final: ChatChunk | undefined;
      try {
        for await (
          const piece of this.#run(host, decision.model, { ...request, messages: turns }, signal)
        ) {
          const chunk: ChatChunk = { content: piece.content, done: piece.done, servedBy };
          if (piece.thinking) chunk.thinking = piece.thinking;
          if (piece.doneReason) chunk.doneReason = piece.doneReason;
          if (piece.stats) chunk.stats = piece.stats;
          if (first && failedFrom) chunk.failedOverFrom = failedFrom;
          first = false;
          partial += piece.content;
          if (piece.done) {
            final = chunk;
            break;
          }
          yield chunk;
        }
        if (final) {
          // The loop is left before the final chunk goes out, so the host's stream has ended
          // (its slot is free) even when the consumer stops reading at the final chunk.
          if (affinityKey) this.#remember(affinityKey, host.id);
          yield final;
          return;
        }
        throw new HostFailure(
          `${host.name} ended the answer without a final chunk`,
          "upstream",
          !first,
        );
      } catch (error) {
        if (signal?.aborted) throw signal.reason ?? error;
        if (error instanceof ChatError) throw error;
        const failure = asFailure(error, !first);
        if (failure.code === "bad_request") throw new ChatError(failure.message, "bad_request");
        attempts.push({ host: host.name, code: failure.code, message: failure.message });
        exclude.add(host.id);
        if (host.local) {
          if (failure.code !== "busy") {
            this.#localUnhealthyUntil = this.#clock.now() + this.#unhealthyMs;
          }
        } else if (failure.code !== "busy" && failure.code !== "rate_limited") {
          this.#hosts.recordFailure(host.id, failure.message);
        }
        failedFrom = servedBy;
        this.#logger.warn("llm host failed, trying another", {
          host: host.name,
          model: decision.model,
          code: failure.code,
          midStream: !first || partial.length > 0,
          error: failure.message,
        });
      }
    }
    throw new ChatError("gave up after 16 hosts failed", "no_host");
  }

  /** Streams from one host: the local engine or a peer over the link. */
  #run(
    host: HostCandidate,
    model: string,
    request: ChatRequest,
    signal?: AbortSignal,
  ): AsyncIterable<BackendChunk> {
    const forBackend = backendRequest(model, request);
    return host.local
      ? this.#runLocal(forBackend, signal)
      : this.#runRemote(host, forBackend, signal);
  }

  async *#runLocal(
    request: Parameters<LocalEngine["generate"]>[0],
    signal?: AbortSignal,
  ): AsyncIterable<BackendChunk> {
    const abort = new AbortController();
    const onAbort = () => abort.abort(signal!.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
    if (signal?.aborted) onAbort();
    let release: (() => void) | undefined;
    try {
      release = await this.#engine.acquire(abort.signal);
      for await (const chunk of this.#engine.generate(request, abort.signal)) yield chunk;
    } finally {
      // Stopping early (consumer break) must stop the backend too.
      if (!abort.signal.aborted) abort.abort(new Error("stopped"));
      release?.();
      signal?.removeEventListener("abort", onAbort);
    }
  }

  async *#runRemote(
    host: HostCandidate,
    request: Parameters<LocalEngine["generate"]>[0],
    signal?: AbortSignal,
  ): AsyncIterable<BackendChunk> {
    const peer = this.#hosts.peer(host.id);
    if (!peer) throw new HostFailure(`${host.name} is no longer linked`, "link_down", false);
    // Counted before the first await, so concurrent requests routed right after see this one.
    this.#hosts.adjustOpen(peer.id, 1);
    try {
      await this.#ensureAccess(peer, request.model);
      const access = this.#hosts.accessOf(peer.id);
      if (access.state === "refused") {
        throw new HostFailure(
          `${peer.name} refused access: ${access.message ?? access.reason}`,
          access.reason ?? "forbidden",
          false,
        );
      }
      const sentAt = this.#clock.now();
      let first = true;
      for await (const event of this.#client.stream(peer, request, signal)) {
        if (event.type === "text") {
          if (first) this.#hosts.recordLatency(peer.id, this.#clock.now() - sentAt);
          first = false;
          yield { content: event.content, thinking: event.thinking, done: false };
        } else {
          if (first) this.#hosts.recordLatency(peer.id, this.#clock.now() - sentAt);
          this.#hosts.recordSuccess(peer.id);
          yield {
            content: "",
            done: true,
            doneReason: event.done.doneReason,
            stats: event.done.stats,
          };
          return;
        }
      }
    } finally {
      this.#hosts.adjustOpen(peer.id, -1);
      this.#changed();
    }
  }

  /** Asks the peer for access unless a grant or refusal is cached; one request per peer at a time. */
  async #ensureAccess(peer: PeerRef, model: string): Promise<void> {
    if (this.#hosts.accessOf(peer.id).state !== "unknown") return;
    let pending = this.#pendingAccess.get(peer.id);
    if (!pending) {
      pending = this.#client.requestAccess(peer, model).then((answer) => {
        if (answer.ttlMs > 0) {
          this.#hosts.setAccess(
            peer.id,
            answer.granted,
            answer.ttlMs,
            answer.reason,
            answer.message,
          );
        }
        if (!answer.granted && answer.ttlMs === 0) {
          throw new HostFailure(
            answer.message ?? `${peer.name} did not grant access`,
            answer.reason ?? "upstream",
            false,
          );
        }
        if (!answer.granted) this.#changed();
      }).finally(() => this.#pendingAccess.delete(peer.id));
      this.#pendingAccess.set(peer.id, pending);
    }
    await pending;
  }

  #candidates(): HostCandidate[] {
    const candidates = this.#hosts.candidates();
    const state = this.#monitor.state;
    if (state.available && state.models.length) {
      candidates.unshift({
        id: this.#id.nodeId,
        name: this.#id.name,
        local: true,
        models: state.models.map((m) => ({ name: m.name, size: m.size })),
        inFlight: this.#slots.inFlight,
        queued: this.#slots.queued,
        capacity: this.#slots.capacity,
        queueLimit: this.#slots.queueLimit,
        healthy: this.#localUnhealthyUntil <= this.#clock.now(),
      });
    }
    return candidates;
  }

  #finalError(decision: Exclude<RouteDecision, { kind: "serve" }>, attempts: Attempt[]): ChatError {
    if (decision.kind === "busy") return new ChatError(decision.message, "busy");
    if (attempts.length === 0) return new ChatError(decision.message, "no_host");
    const tried = attempts.map((a) => `${a.host}: ${a.code} (${a.message})`).join("; ");
    const codes = new Set(attempts.map((a) => a.code));
    const onlyLoad = [...codes].every((code) => code === "busy" || code === "rate_limited");
    if (onlyLoad && codes.has("busy")) {
      return new ChatError(`every host is busy — ${tried}`, "busy");
    }
    if (onlyLoad) return new ChatError(`rate limited by every host — ${tried}`, "rate_limited");
    return new ChatError(`${decision.message} — tried ${tried}`, "no_host");
  }

  #remember(conversationId: string, hostId: string) {
    this.#affinity.delete(conversationId);
    this.#affinity.set(conversationId, hostId);
    if (this.#affinity.size > MAX_AFFINITY) {
      this.#affinity.delete(this.#affinity.keys().next().value!);
    }
  }

  /** Tells listeners and the UI, at most once per `changeIntervalMs`. */
  #changed() {
    if (this.#closed || this.#changeTimer !== undefined) return;
    const fire = () => {
      this.#changeTimer = undefined;
      this.#lastChangeAt = this.#clock.now();
      this.#events?.publish("models", this.models());
      for (const listener of this.#listeners) {
        try {
          listener();
        } catch (error) {
          this.#logger.warn("llm change listener failed", { error });
        }
      }
    };
    const wait = this.#lastChangeAt + this.#changeIntervalMs - this.#clock.now();
    this.#changeTimer = this.#clock.setTimeout(fire, Math.max(0, wait));
  }
}

/** Only the LLM settings (the composition root may pass its whole config). */
function pickSettings(config: LlmSettings): LlmSettings {
  const { allowCidr, blockCidr, rateLimit, capacity, queueSize, serveLlm } = config;
  return { allowCidr, blockCidr, rateLimit, capacity, queueSize, serveLlm };
}

function policyOf(settings: LlmSettings) {
  return { ...settings, serveLlm: settings.serveLlm ?? true };
}

function asFailure(error: unknown, started: boolean): HostFailure {
  if (error instanceof HostFailure) return error;
  if (error instanceof BusyError) {
    return new HostFailure(error.message, "busy", false, error.retryAfterMs);
  }
  if (error instanceof BackendError) {
    const code = error.status === 400
      ? "bad_request"
      : error.status === 404
      ? "no_model"
      : "upstream";
    return new HostFailure(error.message, code, started);
  }
  return new HostFailure((error as Error)?.message ?? String(error), "upstream", started);
}
