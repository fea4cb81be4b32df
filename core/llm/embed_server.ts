import type { Logger } from "../log/logger.ts";
import type { PeerBus, PeerRef } from "../peers/bus.ts";
import type { EmbedRequestMessage } from "../wire/messages/embed.ts";
import type { AccessControl, Refusal } from "./access_control.ts";
import { encodeVector, splitVectors } from "./embed_batch.ts";
import { failureRefusal, HostRequests, wireRefusal } from "./host_requests.ts";
import { embedLocally } from "./local_embed.ts";
import type { LocalEngine } from "./local_engine.ts";

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
  readonly #running: HostRequests;
  readonly #unsubscribe: (() => void)[];
  readonly #budget: number;

  constructor(private readonly options: EmbedServerOptions) {
    this.#budget = options.frameBudgetBytes ?? 8 * 1024 * 1024;
    const { bus, engine, access } = options;
    this.#running = new HostRequests({ bus, engine, access, idName: "request id" });
    this.#unsubscribe = [
      bus.on("EMBR:", (peer, request) => void this.#serve(peer, request)),
      bus.on("EMBC:", (peer, cancel) =>
        this.#running.cancel(
          peer.id,
          cancel.requestId,
          cancel.reason ?? "cancelled by the client",
        )),
    ];
  }

  /** Requests admitted or waiting for a slot. */
  get active(): number {
    return this.#running.active;
  }

  close(): void {
    for (const off of this.#unsubscribe) off();
    this.#running.close();
  }

  #refuse(peer: PeerRef, requestId: string, refusal: Refusal) {
    this.options.bus.send(peer.id, "EMBX:", { requestId, ...wireRefusal(refusal) });
  }

  async #serve(peer: PeerRef, request: EmbedRequestMessage) {
    const { access, engine, bus, logger } = this.options;
    const { requestId } = request;
    const admission = this.#running.admit(peer, requestId, request.model);
    if (!admission.ok) return this.#refuse(peer, requestId, admission.refusal);
    const { model, signal } = admission;
    let admitted = false;
    access.adjust(peer, "queued", 1);
    try {
      const result = await embedLocally(engine, { ...request, model }, signal, () => {
        access.adjust(peer, "queued", -1);
        access.recordGranted(peer);
        access.adjust(peer, "inFlight", 1);
        admitted = true;
      });
      const vectors = result.embeddings.map(encodeVector);
      const runs = splitVectors(vectors, this.#budget, MAX_VECTORS_PER_FRAME);
      for (const [i, run] of runs.entries()) {
        if (signal.aborted) return;
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
      if (signal.aborted) {
        logger.debug("embedding cancelled", { peer: peer.name, request: requestId });
        return;
      }
      const refusal = failureRefusal(error);
      if (!admitted) access.recordRefusal(peer, refusal.code);
      logger.warn("embedding failed", { peer: peer.name, model, code: refusal.code, error });
      this.#refuse(peer, requestId, refusal);
    } finally {
      if (admitted) access.adjust(peer, "inFlight", -1);
      else access.adjust(peer, "queued", -1);
      admission.end();
    }
  }
}

/** A backend figure as the wire wants it: a non-negative integer, or nothing. */
function whole(value: number | undefined): number | undefined {
  return typeof value === "number" && Number.isFinite(value) && value >= 0
    ? Math.round(value)
    : undefined;
}
