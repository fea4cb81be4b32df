import type { Clock } from "../time/clock.ts";
import type { BackendChatRequest, BackendChunk } from "./backend.ts";
import type { BackendMonitor } from "./backend_monitor.ts";
import type { SlotPool } from "./slot_pool.ts";
import { ThroughputMeter } from "./throughput.ts";

/**
 * This node's own backend as a host: one SlotPool shared by local and remote requests,
 * generation speed measured, and the monitor told at once when the backend fails.
 */
export class LocalEngine {
  readonly throughput: ThroughputMeter;

  constructor(
    readonly monitor: BackendMonitor,
    readonly slots: SlotPool,
    private readonly clock: Clock,
  ) {
    this.throughput = new ThroughputMeter(() => clock.now());
  }

  /** Exact name of `model` in the backend's list (`llama3` finds `llama3:latest`). */
  findModel(model: string, same: (a: string, b: string) => boolean): string | undefined {
    return this.monitor.state.models.find((m) => same(m.name, model))?.name;
  }

  /** Waits for a slot (FIFO, bounded); the caller must call the returned release. */
  acquire(signal?: AbortSignal): Promise<() => void> {
    return this.slots.acquire(signal);
  }

  /**
   * Runs one chat end to end: waits for a slot, streams, frees the slot. A consumer that stops
   * reading early, or `signal` aborting, stops the backend too.
   */
  async *run(request: BackendChatRequest, signal?: AbortSignal): AsyncIterable<BackendChunk> {
    const abort = new AbortController();
    const onAbort = () => abort.abort(signal!.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
    if (signal?.aborted) onAbort();
    let release: (() => void) | undefined;
    try {
      release = await this.acquire(abort.signal);
      for await (const chunk of this.generate(request, abort.signal)) yield chunk;
    } finally {
      if (!abort.signal.aborted) abort.abort(new Error("stopped"));
      release?.();
      signal?.removeEventListener("abort", onAbort);
    }
  }

  /** Streams from the backend; the caller holds a slot. */
  async *generate(request: BackendChatRequest, signal: AbortSignal): AsyncIterable<BackendChunk> {
    const backend = this.monitor.backend;
    if (!backend) throw new Error("no local LLM backend is configured");
    const startedAt = this.clock.now();
    let firstAt: number | undefined;
    let pieces = 0;
    try {
      for await (const chunk of backend.chat(request, signal)) {
        if (chunk.content || chunk.thinking) {
          pieces++;
          firstAt ??= this.clock.now();
        }
        if (chunk.done) {
          const tokens = chunk.stats?.evalCount ?? pieces;
          const seconds = chunk.stats?.evalDurationNs
            ? chunk.stats.evalDurationNs / 1e9
            : (this.clock.now() - (firstAt ?? startedAt)) / 1000;
          this.throughput.record(tokens, seconds);
        }
        yield chunk;
      }
    } catch (error) {
      if (!signal.aborted) this.monitor.reportFailure();
      throw error;
    }
  }
}
