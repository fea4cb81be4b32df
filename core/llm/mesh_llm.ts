import type { EventHub } from "../events/hub.ts";
import type { Logger } from "../log/logger.ts";
import type { PeerBus } from "../peers/bus.ts";
import type { Clock } from "../time/clock.ts";
import type { LlmCapability } from "../wire/messages/llm.ts";
import type { AccessControl, PeerAccessCounters } from "./access_control.ts";
import { type BackendChunk, backendRequest, type LlmBackend } from "./backend.ts";
import type { BackendMonitor } from "./backend_monitor.ts";
import type { CapabilityAnnouncer } from "./capability_announcer.ts";
import type { ChangeNotifier } from "./change_notifier.ts";
import { type ChatObserver, type FailoverReason, failoverReasonOf } from "./chat_observer.ts";
import {
  type ChatChunk,
  ChatError,
  type ChatRequest,
  type ChatService,
  type ChatTurn,
  type ServedBy,
  type ToolCall,
} from "./chat.ts";
import { type Attempt, failoverStep, finalError, hostFailureOf, MAX_ATTEMPTS } from "./failover.ts";
import type { HostStreams } from "./host_streams.ts";
import type { HostStatus, HostTable } from "./host_table.ts";
import { HostFailure, type InferenceClient } from "./inference_client.ts";
import type { InferenceServer } from "./inference_server.ts";
import { accessPolicyOf, type LlmSettings } from "./llm_settings.ts";
import {
  capabilityOf,
  localCandidate,
  type LocalLlmStatus,
  type LocalSnapshot,
  localStatusOf,
  modelOffers,
  type PeerLlmSummary,
  peerSummaryOf,
} from "./llm_views.ts";
import type { EmbedRequest, EmbedResult, EmbedService } from "./embed.ts";
import type { EmbedServer } from "./embed_server.ts";
import type { LocalEngine } from "./local_engine.ts";
import type { MeshEmbedder } from "./mesh_embedder.ts";
import { mergeModels, type MeshModel } from "./mesh_model.ts";
import type { ModelViews, ModelViewsApi } from "./model_views.ts";
import type { RemoteRunner } from "./remote_runner.ts";
import { type HostCandidate, route } from "./router.ts";
import type { SlotPool } from "./slot_pool.ts";

/** The collaborators of MeshLlm, built by createMeshLlm(). */
export interface MeshLlmParts {
  monitor: BackendMonitor;
  slots: SlotPool;
  engine: LocalEngine;
  access: AccessControl;
  hosts: HostTable;
  server: InferenceServer;
  client: InferenceClient;
  remote: RemoteRunner;
  announcer: CapabilityAnnouncer;
  changes: ChangeNotifier;
  /** Every attempt's stream, under stall detection. */
  streams: HostStreams;
  /** Told of attempts, first tokens, tokens and failovers (metrics). */
  observer: ChatObserver;
  /** `/api/ps` and `/api/show` asked of the hosts (`MVRQ:`/`MVRS:`). */
  views: ModelViews;
}

export interface MeshLlmOptions {
  nodeId: string;
  /** The live settings, read on every use. */
  settings: () => LlmSettings;
  bus: PeerBus;
  clock: Clock;
  logger: Logger;
  events?: EventHub;
  parts: MeshLlmParts;
  /** Embeddings: the host side and the mesh path (see mesh_embedder.ts). */
  embeddings: { server: EmbedServer; embedder: MeshEmbedder };
  /** The local backend, after it failed a chat, is ranked last for this long. */
  unhealthyMs: number;
}

/** What the HTTP layer needs from the LLM layer. */
export interface MeshLlmApi extends ChatService, EmbedService {
  models(): MeshModel[];
  readonly hasLlm: boolean;
  /** Version of the local backend (e.g. Ollama's), if known. */
  backendVersion(): string | undefined;
  /** What the hosts have loaded and what they say of a model; absent in test doubles. */
  readonly views?: ModelViewsApi;
}

/**
 * Appends the partial answer as the trailing assistant message, so a host continues it. Tool
 * calls already delivered to the caller go in that message's `toolCalls`: the next host makes
 * only the calls after them, so no call is repeated or lost (docs/llm.md, "Tool calls").
 */
export function continuation(
  messages: readonly ChatTurn[],
  partial: string,
  calls: readonly ToolCall[] = [],
): ChatTurn[] {
  const last = messages.at(-1);
  if (last?.role === "assistant") {
    const toolCalls = [...(last.toolCalls ?? []), ...calls];
    return [...messages.slice(0, -1), {
      ...last,
      content: last.content + partial,
      ...(toolCalls.length ? { toolCalls } : {}),
    }];
  }
  return [...messages, {
    role: "assistant",
    content: partial,
    ...(calls.length ? { toolCalls: [...calls] } : {}),
  }];
}

const MAX_AFFINITY = 1_000;

/**
 * LLM sharing for one node: serves its backend to peers, knows the peers' offers, and answers
 * chats by routing each to the best host (local or remote) with failover — the production
 * ChatService. Build it with createMeshLlm().
 */
export class MeshLlm implements MeshLlmApi {
  readonly #o: MeshLlmOptions;
  readonly #p: MeshLlmParts;
  readonly #affinity = new Map<string, string>();
  readonly #unsubscribe: (() => void)[] = [];
  #localUnhealthyUntil = 0;
  #closed = false;

  constructor(options: MeshLlmOptions) {
    this.#o = options;
    const p = this.#p = options.parts;
    const changed = () => {
      p.announcer.changed();
      p.changes.changed();
    };
    this.#unsubscribe.push(
      // The merged list is built only when a page listens.
      p.changes.onChange(() => {
        if (options.events?.subscriberCount) options.events.publish("models", this.models());
      }),
      p.monitor.onChange(changed),
      p.slots.onChange(changed),
      options.bus.on("LLMC:", (peer, capability) => {
        p.hosts.setCapability(peer, capability);
        p.changes.changed();
      }),
      options.bus.onLinkDown((peer) => {
        if (p.hosts.remove(peer.id)) options.logger.info("llm host gone", { peer: peer.name });
        p.changes.changed();
      }),
    );
  }

  /** Probes the backend once (so `hasLlm` is known), then keeps watching it. */
  async start(): Promise<void> {
    await this.#p.monitor.start();
  }

  get nodeId(): string {
    return this.#o.nodeId;
  }

  /** True while the local backend answers: this node is an LLM host. */
  get hasLlm(): boolean {
    return this.#p.monitor.state.available;
  }

  backendVersion(): string | undefined {
    return this.#p.monitor.state.version;
  }

  get views(): ModelViews {
    return this.#p.views;
  }

  /** What this node announces to peers in `LLMC:`. */
  capability(): LlmCapability {
    return capabilityOf(this.#local());
  }

  /** The merged mesh model list: each model with every host that has it. */
  models(): MeshModel[] {
    return mergeModels(modelOffers(this.#local(), this.#p.hosts.statuses()));
  }

  /** Every linked peer as an LLM host: capability, latency, health, access state. */
  hostStatus(): HostStatus[] {
    return this.#p.hosts.statuses();
  }

  /** This node's backend and load. */
  localStatus(): LocalLlmStatus {
    return localStatusOf(this.#local());
  }

  /** One peer as the status page's peer table shows it; null when nothing is known of it. */
  peerSummary(nodeId: string): PeerLlmSummary | null {
    return peerSummaryOf(
      this.#p.hosts.statuses().find((h) => h.nodeId === nodeId),
      this.#p.access.counters().find((c) => c.peerId === nodeId),
    );
  }

  /** Per-peer counters of requests this node served or refused as a host. */
  accessCounters(): PeerAccessCounters[] {
    return this.#p.access.counters();
  }

  /** Called (coalesced) when the model list, hosts, or load changed. */
  onChange(listener: () => void): () => void {
    return this.#p.changes.onChange(listener);
  }

  /** Reads the live settings again and applies them at once (capacity, queue, access, name). */
  applySettings(): void {
    const settings = this.#o.settings();
    this.#p.access.update(accessPolicyOf(settings));
    this.#p.slots.resize(settings.capacity, settings.queueSize);
    this.#p.announcer.changed();
    this.#p.changes.changed();
  }

  /** Switches the local backend (e.g. a new Ollama URL) and probes it. */
  setBackend(backend: LlmBackend | null): Promise<void> {
    return this.#p.monitor.setBackend(backend);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const off of this.#unsubscribe) off();
    const p = this.#p;
    p.announcer.close();
    p.monitor.close();
    p.server.close();
    p.client.close();
    p.slots.close();
    p.changes.close();
    p.views.close();
    this.#o.embeddings.server.close();
    this.#o.embeddings.embedder.close();
  }

  // ---- embeddings ----

  /** Embeds through the mesh: local first, else a peer with the model, with failover. */
  embed(request: EmbedRequest, signal?: AbortSignal): Promise<EmbedResult> {
    if (this.#closed) {
      return Promise.reject(new ChatError("this node is shutting down", "no_host"));
    }
    return this.#o.embeddings.embedder.embed(request, {
      candidates: () => this.#candidates(),
      localFailed: () => {
        this.#localUnhealthyUntil = this.#o.clock.now() + this.#o.unhealthyMs;
      },
    }, signal);
  }

  // ---- chat ----

  async *chat(request: ChatRequest, signal?: AbortSignal): AsyncIterable<ChatChunk> {
    if (this.#closed) throw new ChatError("this node is shutting down", "no_host");
    if (!request.messages?.length) throw new ChatError("messages must not be empty", "bad_request");
    const exclude = new Set<string>();
    const attempts: Attempt[] = [];
    let partial = "";
    const delivered: ToolCall[] = [];
    let failedFrom: ServedBy | undefined;
    let failedWhy: FailoverReason | undefined;
    const affinityKey = request.conversationId;
    for (let round = 0; round < MAX_ATTEMPTS; round++) {
      const decision = route({
        model: request.model,
        candidates: this.#candidates(),
        preferredHost: request.preferredHost,
        affinityHost: affinityKey ? this.#affinity.get(affinityKey) : undefined,
        exclude,
      });
      if (decision.kind !== "serve") throw finalError(decision, attempts);
      const host = decision.host;
      const servedBy: ServedBy = { nodeId: host.id, nodeName: host.name, model: decision.model };
      const turns = partial || delivered.length
        ? continuation(request.messages, partial, delivered)
        : request.messages;
      let first = true;
      let final: ChatChunk | undefined;
      try {
        for await (
          const piece of this.#run(host, decision.model, { ...request, messages: turns }, signal)
        ) {
          const chunk = chatChunk(piece, servedBy, first ? failedFrom : undefined, failedWhy);
          first = false;
          partial += piece.content;
          if (piece.toolCalls?.length) delivered.push(...piece.toolCalls);
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
        const step = failoverStep(error, host, !first);
        if (step.kind === "give_up") throw step.error;
        attempts.push(step.attempt);
        exclude.add(step.exclude);
        if (step.markUnhealthy === "local") {
          this.#localUnhealthyUntil = this.#o.clock.now() + this.#o.unhealthyMs;
        } else if (step.markUnhealthy === "remote") {
          this.#p.hosts.recordFailure(host.id, step.attempt.message);
        }
        failedFrom = servedBy;
        failedWhy = failoverReasonOf(hostFailureOf(error, !first));
        this.#p.observer.failover(host, decision.model, failedWhy);
        this.#o.logger.warn("llm host failed, trying another", {
          host: host.name,
          model: decision.model,
          code: step.attempt.code,
          midStream: !first || partial.length > 0,
          error: step.attempt.message,
        });
      }
    }
    throw finalError({ kind: "exhausted" }, attempts);
  }

  /** Streams from one host: the local engine or a peer over the link. */
  #run(
    host: HostCandidate,
    model: string,
    request: ChatRequest,
    signal?: AbortSignal,
  ): AsyncIterable<BackendChunk> {
    const forBackend = backendRequest(model, request);
    return this.#p.streams.run(
      host,
      model,
      (attempt) =>
        host.local
          ? this.#p.engine.run(forBackend, attempt)
          : this.#p.remote.run(host, forBackend, attempt),
      signal,
    );
  }

  #candidates(): HostCandidate[] {
    const candidates = this.#p.hosts.candidates();
    const local = localCandidate(this.#local());
    if (local) candidates.unshift(local);
    return candidates;
  }

  #local(): LocalSnapshot {
    const { monitor, access, slots, engine } = this.#p;
    return {
      nodeId: this.#o.nodeId,
      name: this.#o.settings().name,
      backend: monitor.backend?.description ?? null,
      state: monitor.state,
      serving: access.serving,
      inFlight: slots.inFlight,
      capacity: slots.capacity,
      queued: slots.queued,
      queueLimit: slots.queueLimit,
      tokensPerSecond: engine.throughput.tokensPerSecond(),
      healthy: this.#localUnhealthyUntil <= this.#o.clock.now(),
    };
  }

  #remember(conversationId: string, hostId: string) {
    this.#affinity.delete(conversationId);
    this.#affinity.set(conversationId, hostId);
    if (this.#affinity.size > MAX_AFFINITY) {
      this.#affinity.delete(this.#affinity.keys().next().value!);
    }
  }
}

/** A host's piece of the answer as the chat's chunk, naming who served it. */
function chatChunk(
  piece: BackendChunk,
  servedBy: ServedBy,
  failedFrom?: ServedBy,
  failedWhy?: FailoverReason,
): ChatChunk {
  const chunk: ChatChunk = { content: piece.content, done: piece.done, servedBy };
  if (piece.thinking) chunk.thinking = piece.thinking;
  if (piece.toolCalls?.length) chunk.toolCalls = piece.toolCalls;
  if (piece.doneReason) chunk.doneReason = piece.doneReason;
  if (piece.stats) chunk.stats = piece.stats;
  if (failedFrom) chunk.failedOverFrom = failedFrom;
  if (failedFrom && failedWhy) chunk.failoverReason = failedWhy;
  return chunk;
}
