import type { Logger } from "../log/logger.ts";
import type { PeerBus, PeerRef } from "../peers/bus.ts";
import type { EmbedRequestMessage } from "../wire/messages/embed.ts";
import type { RefusalCode } from "../wire/messages/llm.ts";
import type { AccessControl, Refusal } from "./access_control.ts";
import { BackendError } from "./backend.ts";
import { encodeVector, splitVectors } from "./embed_batch.ts";
import { embedLocally } from "./local_embed.ts";
import type { LocalEngine } from "./local_engine.ts";
import { sameModel } from "./router.ts";
import { BusyError } from "./slot_pool.ts";

export interface EmbedServerOptions {
  bus: PeerBus;
  engine: LocalEngine;
  access: AccessControl;
  logger: Logger;
  /** Largest `EMBD:` payload this host sends. @default 8 MiB (frames may reach 50 MB) */
  frameBudgetBytes?: number;
}

/** Most vectors in one `EMBD:`. */
const MAX_VECTORS_PER_FRAME = 4096;

/**
 * The host side of embeddings: runs `EMBR:` on the local backend under the same checks as a
 * chat stream (address ranges, serving switch, rate limit, a slot of the shared pool), and
 * sends the vectors back as `EMBD:` runs within the frame budget, or `EMBX:`. `EMBC:` or link
 * loss aborts the backend call.
 */
export class EmbedServer {
  readonly #running = new Map<string, { peer: PeerRef; abort: AbortController }>();
  readonly #unsubscribe: (() => void)[];
  readonly #budget: number;
  #closed = false;

  constructor(private readonly options: EmbedServerOptions) {
    this.#budget = options.frameBudgetBytes ?? 8 * 1024 * 1024;
    const { bus } = options;
    this.#unsubscribe = [
      bus.on("EMBR:", (peer, request) => void this.#serve(peer, request)),
      bus.on("EMBC:", (peer, cancel) => {
        this.#running.get(`${peer.id}/${cancel.requestId}`)?.abort.abort(
          new Error(cancel.reason ?? "cancelled by the client"),
        );
      }),
      bus.onLinkDown((peer) => {
        for (const running of this.#running.values()) {
          if (running.peer.id === peer.id) running.abort.abort(new Error("link down"));
        }
      }),
    ];
  }

  /** Requests admitted or waiting for a slot. */
  get active(): number {
    return this.#running.size;
  }

  close(): void {
    this.#closed = true;
    for (const off of this.#unsubscribe) off();
    for (const running of this.#running.values()) {
      running.abort.abort(new Error("host shutting down"));
    }
  }

  #refuse(peer: PeerRef, requestId: string, refusal: Refusal) {
    this.options.bus.send(peer.id, "EMBX:", {
      requestId,
      code: refusal.code,
      message: refusal.message.slice(0, 2048),
      retryAfterMs: refusal.retryAfterMs === undefined
        ? undefined
        : Math.ceil(refusal.retryAfterMs),
    });
  }

  async #serve(peer: PeerRef, request: EmbedRequestMessage) {
    const { access, engine, bus, logger } = this.options;
    const { requestId } = request;
    const key = `${peer.id}/${requestId}`;
    if (this.#closed) {
      return this.#refuse(peer, requestId, {
        code: "shutting_down",
        message: "host shutting down",
      });
    }
    if (this.#running.has(key)) {
      return this.#refuse(peer, requestId, {
        code: "bad_request",
        message: `request id ${requestId} is already in use`,
      });
    }
    const refusal = access.admitRequest(peer);
    if (refusal) return this.#refuse(peer, requestId, refusal);
    const model = engine.findModel(request.model, sameModel);
    if (!model || !engine.monitor.state.available) {
      access.recordRefusal(peer, "no_model");
      return this.#refuse(peer, requestId, {
        code: "no_model",
        message: engine.monitor.state.available
          ? `model "${request.model}" is not installed on this host`
          : `this host's LLM backend is down: ${engine.monitor.state.lastError ?? "unknown error"}`,
      });
    }
    const abort = new AbortController();
    this.#running.set(key, { peer, abort });
    let admitted = false;
    access.adjust(peer, "queued", 1);
    try {
      const result = await embedLocally(engine, { ...request, model }, abort.signal, () => {
        access.adjust(peer, "queued", -1);
        access.recordGranted(peer);
        access.adjust(peer, "inFlight", 1);
        admitted = true;
      });
      const vectors = result.embeddings.map(encodeVector);
      const runs = splitVectors(vectors, this.#budget, MAX_VECTORS_PER_FRAME);
      for (const [i, run] of runs.entries()) {
        if (abort.signal.aborted) return;
        const last = i === runs.length - 1;
        bus.send(peer.id, "EMBD:", {
          requestId,
          offset: run.start,
          vectors: vectors.slice(run.start, run.end),
          done: last,
          ...(last
            ? {
              model,
              promptTokens: whole(result.promptTokens),
              totalDurationNs: whole(result.totalDurationNs),
              loadDurationNs: whole(result.loadDurationNs),
            }
            : {}),
        });
      }
    } catch (error) {
      if (abort.signal.aborted) {
        logger.debug("embedding cancelled", { peer: peer.name, request: requestId });
        return;
      }
      const code: RefusalCode = error instanceof BusyError
        ? "busy"
        : error instanceof BackendError && error.status === 404
        ? "no_model"
        : error instanceof BackendError && error.status === 400
        ? "bad_request"
        : "upstream";
      if (!admitted) access.recordRefusal(peer, code);
      logger.warn("embedding failed", { peer: peer.name, model, code, error });
      this.#refuse(peer, requestId, {
        code,
        message: (error as Error).message,
        retryAfterMs: error instanceof BusyError ? error.retryAfterMs : undefined,
      });
    } finally {
      if (admitted) access.adjust(peer, "inFlight", -1);
      else access.adjust(peer, "queued", -1);
      this.#running.delete(key);
    }
  }
}

/** A backend figure as the wire wants it: a non-negative integer, or nothing. */
function whole(value: number | undefined): number | undefined {
  return typeof value === "number" && Number.isFinite(value) && value >= 0
    ? Math.round(value)
    : undefined;
}
