import type { Logger } from "../log/logger.ts";
import type { PeerBus, PeerRef } from "../peers/bus.ts";
import type { Clock } from "../time/clock.ts";
import type { InferenceRequest } from "../wire/messages/llm.ts";
import type { AccessControl, Refusal } from "./access_control.ts";
import { BackendError, backendRequest } from "./backend.ts";
import { failureRefusal, HostRequests, wireRefusal } from "./host_requests.ts";
import type { LocalEngine } from "./local_engine.ts";
import { TokenBatcher } from "./token_batcher.ts";

export interface InferenceServerOptions {
  bus: PeerBus;
  engine: LocalEngine;
  access: AccessControl;
  clock: Clock;
  logger: Logger;
  /** How long a peer may reuse an access grant before asking again. @default 300_000 */
  grantTtlMs?: number;
  /** How long a peer should respect a refusal before asking again. @default 30_000 */
  refusalTtlMs?: number;
  /** Token coalescing window. @default 15 */
  flushMs?: number;
}

/**
 * The host side of LLM sharing: answers `LREQ:` access requests, runs `INFR:` streams on the
 * local backend and streams `TOKN:`/`IEND:`/`IERR:` back, aborts on `ICAN:` or link loss.
 * Every request is checked again here (address, rate, capacity): a grant is a hint for the
 * client, never a pass.
 */
export class InferenceServer {
  readonly #streams: HostRequests;
  #unsubscribe: (() => void)[] = [];
  readonly #grantTtlMs: number;
  readonly #refusalTtlMs: number;
  readonly #flushMs: number;

  constructor(private readonly options: InferenceServerOptions) {
    this.#grantTtlMs = options.grantTtlMs ?? 300_000;
    this.#refusalTtlMs = options.refusalTtlMs ?? 30_000;
    this.#flushMs = options.flushMs ?? 15;
    const { bus, engine, access } = options;
    this.#streams = new HostRequests({ bus, engine, access, idName: "stream id" });
    this.#unsubscribe.push(
      bus.on("LREQ:", (peer, request) => this.#answerAccess(peer, request.requestId)),
      bus.on("INFR:", (peer, request) => void this.#serve(peer, request)),
      bus.on("ICAN:", (peer, cancel) =>
        this.#streams.cancel(
          peer.id,
          cancel.streamId,
          cancel.reason ?? "cancelled by the client",
        )),
    );
  }

  /** Streams currently admitted or waiting for a slot. */
  get activeStreams(): number {
    return this.#streams.active;
  }

  close(): void {
    for (const off of this.#unsubscribe) off();
    this.#streams.close();
  }

  #answerAccess(peer: PeerRef, requestId: string) {
    const refusal = this.options.access.answerAccess(peer);
    this.options.bus.send(peer.id, "LRES:", {
      requestId,
      granted: !refusal,
      reason: refusal?.code,
      message: refusal?.message,
      ttlMs: refusal ? this.#refusalTtlMs : this.#grantTtlMs,
    });
  }

  #refuse(peer: PeerRef, streamId: string, refusal: Refusal, started: boolean) {
    this.options.bus.send(peer.id, "IERR:", { streamId, started, ...wireRefusal(refusal) });
  }

  async #serve(peer: PeerRef, request: InferenceRequest) {
    const { access, engine, bus, clock, logger } = this.options;
    const admission = this.#streams.admit(peer, request.streamId, request.model);
    if (!admission.ok) return this.#refuse(peer, request.streamId, admission.refusal, false);
    const { model, signal } = admission;
    let release: (() => void) | undefined;
    const batcher = new TokenBatcher(clock, this.#flushMs, (content, thinking, toolCalls) => {
      bus.send(peer.id, "TOKN:", {
        streamId: request.streamId,
        seq: batcher.sent - 1,
        content,
        thinking,
        ...(toolCalls?.length ? { toolCalls } : {}),
      });
    });
    access.adjust(peer, "queued", 1);
    try {
      try {
        release = await engine.acquire(signal);
      } finally {
        access.adjust(peer, "queued", -1);
      }
      access.recordGranted(peer);
      access.adjust(peer, "inFlight", 1);
      for await (
        const chunk of engine.generate(backendRequest(model, request), signal)
      ) {
        batcher.push(chunk.content, chunk.thinking);
        if (chunk.toolCalls?.length) batcher.calls(chunk.toolCalls);
        if (chunk.done) {
          batcher.flush();
          bus.send(peer.id, "IEND:", {
            streamId: request.streamId,
            seq: batcher.sent,
            model,
            doneReason: chunk.doneReason,
            stats: cleanStats(chunk.stats),
          });
          return;
        }
      }
      throw new BackendError(`the backend ended the answer of ${model} without a final chunk`);
    } catch (error) {
      if (signal.aborted) {
        batcher.discard();
        logger.debug("stream cancelled", {
          peer: peer.name,
          stream: request.streamId,
          reason: signal.reason,
        });
        return;
      }
      batcher.flush();
      const refusal = failureRefusal(error);
      if (!release) access.recordRefusal(peer, refusal.code);
      logger.warn("stream failed", { peer: peer.name, model, code: refusal.code, error });
      this.#refuse(peer, request.streamId, refusal, batcher.sent > 0);
    } finally {
      if (release) {
        release();
        access.adjust(peer, "inFlight", -1);
      }
      admission.end();
    }
  }
}

/** Drops undefined and negative values so the stats satisfy the wire schema. */
function cleanStats(stats: Record<string, number | undefined> | undefined) {
  if (!stats) return undefined;
  const out: Record<string, number> = {};
  for (const [key, value] of Object.entries(stats)) {
    if (typeof value === "number" && Number.isFinite(value) && value >= 0) {
      out[key] = Math.round(value);
    }
  }
  return out;
}
