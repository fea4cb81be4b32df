/**
 * What the host's request handlers share (chat streams in inference_server.ts, embeddings in
 * embed_server.ts): the checks before a peer's request runs, the requests running (cancelled
 * one by one, all of a peer when its link drops, all on close), and how a failure becomes the
 * refusal the peer is sent.
 */
import type { PeerBus, PeerRef } from "../peers/bus.ts";
import type { RefusalCode } from "../wire/messages/llm.ts";
import type { AccessControl, Refusal } from "./access_control.ts";
import { BackendError } from "./backend.ts";
import { sameModel } from "./router.ts";
import { BusyError } from "./slot_pool.ts";

/** The local backend as the checks see it (LocalEngine). */
export interface ServedModels {
  findModel(model: string, same: (a: string, b: string) => boolean): string | undefined;
  readonly monitor: { readonly state: { available: boolean; lastError?: string } };
}

export interface HostRequestsOptions {
  bus: PeerBus;
  access: Pick<AccessControl, "admitRequest" | "recordRefusal">;
  engine: ServedModels;
  /** How the request's id is named in a refusal, e.g. "stream id". */
  idName: string;
}

/** A request let in: the model as this host names it, its abort signal, and `end()` when done. */
export type Admission =
  | { ok: false; refusal: Refusal }
  | { ok: true; model: string; signal: AbortSignal; end(): void };

export class HostRequests {
  readonly #running = new Map<string, { peer: PeerRef; abort: AbortController }>();
  readonly #offLinkDown: () => void;
  #closed = false;

  constructor(private readonly o: HostRequestsOptions) {
    this.#offLinkDown = o.bus.onLinkDown((peer) => {
      for (const running of this.#running.values()) {
        if (running.peer.id === peer.id) running.abort.abort(new Error("link down"));
      }
    });
  }

  /** Requests let in and not yet ended (running or waiting for a slot). */
  get active(): number {
    return this.#running.size;
  }

  /**
   * Lets `peer`'s request `id` for `model` in, or says why not: this host is closing, the id is
   * in use, the peer's access (address, serving, rate), or the model is not here.
   */
  admit(peer: PeerRef, id: string, model: string): Admission {
    const { access, engine, idName } = this.o;
    const key = `${peer.id}/${id}`;
    if (this.#closed) {
      return { ok: false, refusal: { code: "shutting_down", message: "host shutting down" } };
    }
    if (this.#running.has(key)) {
      return {
        ok: false,
        refusal: { code: "bad_request", message: `${idName} ${id} is already in use` },
      };
    }
    const refusal = access.admitRequest(peer);
    if (refusal) return { ok: false, refusal };
    const found = engine.findModel(model, sameModel);
    const { available, lastError } = engine.monitor.state;
    if (!found || !available) {
      access.recordRefusal(peer, "no_model");
      return {
        ok: false,
        refusal: {
          code: "no_model",
          message: available
            ? `model "${model}" is not installed on this host`
            : `this host's LLM backend is down: ${lastError ?? "unknown error"}`,
        },
      };
    }
    const abort = new AbortController();
    this.#running.set(key, { peer, abort });
    return { ok: true, model: found, signal: abort.signal, end: () => this.#running.delete(key) };
  }

  /** The peer no longer wants request `id`. */
  cancel(peerId: string, id: string, reason: string): void {
    this.#running.get(`${peerId}/${id}`)?.abort.abort(new Error(reason));
  }

  /** Refuses what comes next and aborts what runs. */
  close(): void {
    this.#closed = true;
    this.#offLinkDown();
    for (const running of this.#running.values()) {
      running.abort.abort(new Error("host shutting down"));
    }
  }
}

/** The refusal code of a request that failed on this host. */
export function failureCode(error: unknown): RefusalCode {
  if (error instanceof BusyError) return "busy";
  if (error instanceof BackendError && error.status === 404) return "no_model";
  if (error instanceof BackendError && error.status === 400) return "bad_request";
  return "upstream";
}

/** A failure as the refusal the peer is sent (`IERR:`, `EMBX:`). */
export function failureRefusal(error: unknown): Refusal {
  return {
    code: failureCode(error),
    message: (error as Error)?.message ?? String(error),
    retryAfterMs: error instanceof BusyError ? error.retryAfterMs : undefined,
  };
}

/** A refusal's fields on the wire: the message cut to 2,048 characters, whole milliseconds. */
export function wireRefusal(refusal: Refusal) {
  return {
    code: refusal.code,
    message: refusal.message.slice(0, 2048),
    retryAfterMs: refusal.retryAfterMs === undefined ? undefined : Math.ceil(refusal.retryAfterMs),
  };
}
