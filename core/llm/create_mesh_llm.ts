import type { EventHub } from "../events/hub.ts";
import type { Logger } from "../log/logger.ts";
import type { PeerBus } from "../peers/bus.ts";
import { type Clock, systemClock } from "../time/clock.ts";
import { AccessControl } from "./access_control.ts";
import type { LlmBackend } from "./backend.ts";
import { BackendMonitor } from "./backend_monitor.ts";
import { CapabilityAnnouncer } from "./capability_announcer.ts";
import { ChangeNotifier } from "./change_notifier.ts";
import { EmbedClient } from "./embed_client.ts";
import { EmbedServer } from "./embed_server.ts";
import { HostTable } from "./host_table.ts";
import { InferenceClient } from "./inference_client.ts";
import { InferenceServer } from "./inference_server.ts";
import { accessPolicyOf, type LlmSettings } from "./llm_settings.ts";
import { LocalEngine } from "./local_engine.ts";
import { MeshEmbedder } from "./mesh_embedder.ts";
import { MeshLlm } from "./mesh_llm.ts";
import { ModelViews } from "./model_views.ts";
import { RemoteRunner } from "./remote_runner.ts";
import { SlotPool } from "./slot_pool.ts";
import { type ChatObserver, noObserver } from "./chat_observer.ts";
import { HostStreams } from "./host_streams.ts";
import { type StallLimits, stallLimitsOf } from "./stall_detector.ts";
import { TokenTimings } from "./token_timings.ts";

/** Timings, all with defaults; tests shorten them. */
export interface MeshLlmTuning {
  /** Backend probe period. @default 10_000 */
  monitorIntervalMs?: number;
  /** Longest wait for a slot in the local queue. @default 120_000 */
  queueTimeoutMs?: number;
  /** A remote stream silent this long is failed over. @default 300_000 */
  streamIdleTimeoutMs?: number;
  /** Stall detection of every host's stream (stall_detector.ts); unset fields keep defaults. */
  stall?: Partial<StallLimits>;
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

export interface MeshLlmDeps {
  nodeId: string;
  /** The live settings, read on every use; call `applySettings()` after they changed. */
  settings: () => LlmSettings;
  bus: PeerBus;
  /** The local LLM server, or null when this node has none (client only). */
  backend: LlmBackend | null;
  logger: Logger;
  events?: EventHub;
  clock?: Clock;
  tuning?: MeshLlmTuning;
  /** Told of attempts, first tokens, tokens and failovers (metrics). @default none */
  observer?: ChatObserver;
}

/** Builds MeshLlm with its collaborators: the host side, the client side and the local backend. */
export function createMeshLlm(deps: MeshLlmDeps): MeshLlm {
  const { bus, logger } = deps;
  const tuning = deps.tuning ?? {};
  const clock = deps.clock ?? systemClock;
  const now = () => clock.now();
  const initial = deps.settings();
  const unhealthyMs = tuning.unhealthyMs ?? 15_000;
  const changes = new ChangeNotifier(clock, tuning.changeIntervalMs ?? 250, logger);
  const monitor = new BackendMonitor({
    backend: deps.backend,
    clock,
    logger,
    intervalMs: tuning.monitorIntervalMs,
  });
  const slots = new SlotPool(initial.capacity, initial.queueSize, clock, tuning.queueTimeoutMs);
  const engine = new LocalEngine(monitor, slots, clock);
  const access = new AccessControl(accessPolicyOf(initial), now);
  const hosts = new HostTable(now, { unhealthyMs });
  const server = new InferenceServer({
    bus,
    engine,
    access,
    clock,
    logger,
    grantTtlMs: tuning.grantTtlMs,
    refusalTtlMs: tuning.refusalTtlMs,
    flushMs: tuning.flushMs,
  });
  const client = new InferenceClient({
    bus,
    clock,
    idleTimeoutMs: tuning.streamIdleTimeoutMs,
    accessTimeoutMs: tuning.accessTimeoutMs,
  });
  const observer = deps.observer ?? noObserver;
  const streams = new HostStreams({
    clock,
    limits: stallLimitsOf(tuning.stall),
    timings: new TokenTimings(),
    observer,
  });
  const embedServer = new EmbedServer({ bus, engine, access, logger });
  const embedder = new MeshEmbedder({
    engine,
    hosts,
    logger,
    client: new EmbedClient({ bus, clock, idleTimeoutMs: tuning.streamIdleTimeoutMs }),
    changed: () => changes.changed(),
  });
  const remote = new RemoteRunner({ hosts, client, clock, changed: () => changes.changed() });
  // Announces what the node built below offers; first asked once a link comes up.
  const announcer = new CapabilityAnnouncer(
    bus,
    clock,
    () => llm.capability(),
    tuning.capabilityIntervalMs,
  );
  const views = new ModelViews({
    nodeId: deps.nodeId,
    settings: deps.settings,
    bus,
    clock,
    engine,
    access,
    models: () => llm.models(),
  });
  const llm: MeshLlm = new MeshLlm({
    nodeId: deps.nodeId,
    settings: deps.settings,
    bus,
    clock,
    logger,
    events: deps.events,
    unhealthyMs,
    embeddings: { server: embedServer, embedder },
    parts: {
      views,
      monitor,
      slots,
      engine,
      access,
      hosts,
      server,
      client,
      remote,
      announcer,
      changes,
      streams,
      observer,
    },
  });
  return llm;
}
