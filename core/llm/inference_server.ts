import type { Logger } from "../log/logger.ts";
import type { PeerBus, PeerRef } from "../peers/bus.ts";
import type { Clock } from "../time/clock.ts";
import type { InferenceRequest, RefusalCode } from "../wire/messages/llm.ts";
import type { AccessControl, Refusal } from "./access_control.ts";
import { BackendError, backendRequest } from "./backend.ts";
import type { LocalEngine } from "./local_engine.ts";
import { sameModel } from "./router.ts";
import { BusyError } from "./slot_pool.ts";
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
  #streams = new Map<string, { peer: PeerRef; abort: AbortController }>();
  #unsubscribe: (() => void)[] = [];
  #closed = false;
  readonly #grantTtlMs: number;
  readonly #refusalTtlMs: number;
  readonly #flushMs: number;

  constructor(private readonly options: InferenceServerOptions) {
    this.#grantTtlMs = options.grantTtlMs ?? 300_000;
    this.#refusalTtlMs = options.refusalTtlMs ?? 30_000;
    this.#flushMs = options.flushMs ?? 15;
    const { bus } = options;
    this.#unsubscribe.push(
      bus.on("LREQ:", (peer, request) => this.#answerAccess(peer, request.requestId)),
      bus.on("INFR:", (peer, request) => void this.#serve(peer, request)),
      bus.on(
        "ICAN:",
        (peer, cancel) =>
          this.#cancel(peer.id, cancel.streamId, cancel.reason ?? "cancelled by the client"),
      ),
      bus.onLinkDown((peer) => {
        for (const [key, stream] of this.#streams) {
          if (stream.peer.id === peer.id) {
            this.#cancel(peer.id, key.slice(peer.id.length + 1), "link down");
          }
        }
      }),
    );
  }

  /** Streams currently admitted or waiting for a slot. */
  get activeStreams(): number {
    return this.#streams.size;
  }

  close(): void {
    this.#closed = true;
    for (const off of this.#unsubscribe) off();
    for (const stream of this.#streams.values()) {
      stream.abort.abort(new Error("host shutting down"));
    }
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

  #cancel(peerId: string, streamId: string, reason: string) {
    const stream = this.#streams.get(`${peerId}/${streamId}`);
    if (stream) stream.abort.abort(new Error(reason));
  }

  #refuse(peer: PeerRef, streamId: string, refusal: Refusal, started: boolean) {
    this.options.bus.send(peer.id, "IERR:", {
      streamId,
      code: refusal.code,
      message: refusal.message.slice(0, 2048),
      started,
      retryAfterMs: refusal.retryAfterMs === undefined
        ? undefined
        : Math.ceil(refusal.retryAfterMs),
    });
  }

  async #serve(peer: PeerRef, request: InferenceRequest) {
    const { access, engine, bus, clock, logger } = this.options;
    const key = `${peer.id}/${request.streamId}`;
    if (this.#closed) {
      return this.#refuse(peer, request.streamId, {
        code: "shutting_down",
        message: "host shutting down",
      }, false);
    }
    if (this.#streams.has(key)) {
      return this.#refuse(peer, request.streamId, {
        code: "bad_request",
        message: `stream id ${request.streamId} is already in use`,
      }, false);
    }
    const refusal = access.admitRequest(peer);
    if (refusal) return this.#refuse(peer, request.streamId, refusal, false);
    const model = engine.findModel(request.model, sameModel);
    if (!model || !engine.monitor.state.available) {
      access.recordRefusal(peer, "no_model");
      return this.#refuse(peer, request.streamId, {
        code: "no_model",
        message: engine.monitor.state.available
          ? `model "${request.model}" is not installed on this host`
          : `this host's LLM backend is down: ${engine.monitor.state.lastError ?? "unknown error"}`,
      }, false);
    }

    const abort = new AbortController();
    this.#streams.set(key, { peer, abort });
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
        release = await engine.acquire(abort.signal);
      } finally {
        access.adjust(peer, "queued", -1);
      }
      access.recordGranted(peer);
      access.adjust(peer, "inFlight", 1);
      for await (
        const chunk of engine.generate(backendRequest(model, request), abort.signal)
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
      if (abort.signal.aborted) {
        batcher.discard();
        logger.debug("stream cancelled", {
          peer: peer.name,
          stream: request.streamId,
          reason: abort.signal.reason,
        });
        return;
      }
      batcher.flush();
      const code: RefusalCode = error instanceof BusyError
        ? "busy"
        : error instanceof BackendError && error.status === 404
        ? "no_model"
        : error instanceof BackendError && error.status === 400
        ? "bad_request"
        : "upstream";
      if (!release) access.recordRefusal(peer, code);
      logger.warn("stream failed", { peer: peer.name, model, code, error });
      this.#refuse(peer, request.streamId, {
        code,
        message: (error as Error).message,
        retryAfterMs: error instanceof BusyError ? error.retryAfterMs : undefined,
      }, batcher.sent > 0);
    } finally {
      if (release) {
        release();
        access.adjust(peer, "inFlight", -1);
      }
      this.#streams.delete(key);
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
