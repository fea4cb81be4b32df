/**
 * The node's metrics (GET /metrics; names in docs/llm.md, "Metrics"): chats per host, tokens,
 * time to first token and failovers with their reason counted as they happen (the LLM layer's
 * ChatObserver); queue length, in-flight streams, peer links and sync lag read at scrape time.
 */
import type { ChatObserver, ObservedHost } from "../llm/chat_observer.ts";
import { type Labels, MetricsRegistry, type Sample } from "./registry.ts";

/** What the scrape-time gauges read; each part optional. */
export interface MetricSources {
  /** Every LLM host this node knows (itself included) and its load. */
  llmHosts?: () => readonly {
    nodeId: string;
    name: string;
    local: boolean;
    inFlight: number;
    queued: number;
  }[];
  /** Peer links (as /api/status shows them). */
  peers?: () => readonly { id: string; name: string; state: string; rttMs: number | null }[];
  /** Sync: pulls waiting or running, and when a record of each origin was last applied (ms). */
  sync?: () => { pendingPulls: number; lastAppliedAt: ReadonlyMap<string, number> } | undefined;
  now?: () => number;
  /** The process's memory (Deno.memoryUsage shape), injectable for tests. */
  memory?: () => { rss: number; heapTotal: number; heapUsed: number; external: number };
}

const TTFT_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

export class NodeMetrics {
  readonly registry = new MetricsRegistry();
  readonly observer: ChatObserver;
  #sources: MetricSources = {};

  constructor() {
    const r = this.registry;
    const requests = r.counter(
      "neuromesh_llm_requests_total",
      "Chat attempts sent to each LLM host (a failover is a new attempt).",
    );
    const tokens = r.counter("neuromesh_llm_tokens_total", "Tokens produced by each LLM host.");
    const ttft = r.histogram(
      "neuromesh_llm_time_to_first_token_seconds",
      "Time from sending a chat to a host to its first token.",
      TTFT_BUCKETS,
    );
    const failovers = r.counter(
      "neuromesh_llm_failovers_total",
      "Chats moved off a host, by reason: died, stalled, error, busy.",
    );
    const hostLabels = (host: ObservedHost): Labels => ({ host_id: host.id, host: host.name });
    this.observer = {
      attempt: (host) => requests.inc(hostLabels(host)),
      firstToken: (host, _model, ms) => ttft.observe(hostLabels(host), ms / 1000),
      tokens: (host, _model, n) => tokens.inc(hostLabels(host), n),
      failover: (host, _model, reason) => failovers.inc({ ...hostLabels(host), reason }),
    };
    const llmGauge = (pick: "queued" | "inFlight") => (): Sample[] =>
      (this.#sources.llmHosts?.() ?? []).map((h) => ({
        labels: { host_id: h.nodeId, host: h.name },
        value: h[pick],
      }));
    r.gauge(
      "neuromesh_llm_queue_length",
      "Chats waiting for a slot on each LLM host.",
      llmGauge("queued"),
    );
    r.gauge(
      "neuromesh_llm_in_flight",
      "Chats generating on each LLM host.",
      llmGauge("inFlight"),
    );
    const peers = () => this.#sources.peers?.() ?? [];
    r.gauge(
      "neuromesh_peer_link_up",
      "1 while the link to a peer is up.",
      () =>
        peers().map((p) => ({
          labels: { peer_id: p.id, peer: p.name },
          value: p.state === "up" ? 1 : 0,
        })),
    );
    r.gauge(
      "neuromesh_peer_link_rtt_seconds",
      "Round trip time of each peer link (heartbeat).",
      () =>
        peers().filter((p) => p.rttMs !== null).map((p) => ({
          labels: { peer_id: p.id, peer: p.name },
          value: p.rttMs! / 1000,
        })),
    );
    r.gauge(
      "neuromesh_sync_pending_pulls",
      "Conversation pulls from peers waiting or running.",
      () => {
        const sync = this.#sources.sync?.();
        return sync ? [{ labels: {}, value: sync.pendingPulls }] : [];
      },
    );
    r.gauge(
      "neuromesh_sync_last_applied_age_seconds",
      "Seconds since a conversation record of each origin node was last applied here.",
      () => {
        const sync = this.#sources.sync?.();
        const now = (this.#sources.now ?? Date.now)();
        return [...(sync?.lastAppliedAt ?? [])].map(([origin, at]) => ({
          labels: { origin },
          value: Math.max(0, (now - at) / 1000),
        }));
      },
    );
    this.#memoryGauges(r);
  }

  #memoryGauges(r: MetricsRegistry): void {
    const memory = (pick: "rss" | "heapTotal" | "heapUsed" | "external") => (): Sample[] => [
      { labels: {}, value: (this.#sources.memory ?? Deno.memoryUsage)()[pick] },
    ];
    r.gauge("process_resident_memory_bytes", "Resident memory of the node.", memory("rss"));
    r.gauge(
      "neuromesh_js_heap_used_bytes",
      "JavaScript heap in use (the rest of the resident memory is the runtime, buffers, TLS).",
      memory("heapUsed"),
    );
    r.gauge("neuromesh_js_heap_total_bytes", "JavaScript heap reserved.", memory("heapTotal"));
    r.gauge(
      "neuromesh_external_memory_bytes",
      "Memory of objects outside the JavaScript heap that it holds (array buffers).",
      memory("external"),
    );
  }

  /** Sets what the scrape-time gauges read (the parts exist after the metrics do). */
  watch(sources: MetricSources): void {
    this.#sources = sources;
  }

  render(): string {
    return this.registry.render();
  }
}
