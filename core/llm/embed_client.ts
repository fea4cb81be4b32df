import type { PeerBus, PeerRef } from "../peers/bus.ts";
import type { Clock, TimerHandle } from "../time/clock.ts";
import type { EmbedRequestMessage } from "../wire/messages/embed.ts";
import type { BackendEmbedResult } from "./embed.ts";
import { VectorAssembly } from "./embed_batch.ts";
import { HostFailure } from "./inference_client.ts";

export interface EmbedClientOptions {
  bus: PeerBus;
  clock: Clock;
  /** A request with no frame from the host for this long is given up. @default 300_000 */
  idleTimeoutMs?: number;
}

/** A remote part's answer: the vectors in input order, and the model as the host names it. */
export interface RemoteEmbedResult extends BackendEmbedResult {
  model: string;
}

interface Pending {
  peer: PeerRef;
  assembly: VectorAssembly;
  resolve(result: RemoteEmbedResult): void;
  reject(error: unknown): void;
  touch(): void;
}

/**
 * The client side of embeddings: sends `EMBR:`, reassembles the `EMBD:` runs in order, fails
 * with HostFailure on `EMBX:`, link loss, silence or a malformed run, and sends `EMBC:` when it
 * gives up before the host finished.
 */
export class EmbedClient {
  readonly #pending = new Map<string, Pending>();
  readonly #unsubscribe: (() => void)[];
  readonly #prefix = crypto.randomUUID().slice(0, 8);
  readonly #idleTimeoutMs: number;
  #nextId = 0;

  constructor(private readonly options: EmbedClientOptions) {
    this.#idleTimeoutMs = options.idleTimeoutMs ?? 300_000;
    const { bus } = options;
    this.#unsubscribe = [
      bus.on("EMBD:", (peer, data) => {
        const pending = this.#pending.get(`${peer.id}/${data.requestId}`);
        if (!pending) return;
        pending.touch();
        try {
          pending.assembly.add(data.offset, data.vectors);
          if (!data.done) return;
          pending.resolve({
            model: data.model ?? "",
            embeddings: pending.assembly.result(),
            promptTokens: data.promptTokens,
            totalDurationNs: data.totalDurationNs,
            loadDurationNs: data.loadDurationNs,
          });
        } catch (error) {
          pending.reject(
            new HostFailure(
              `${peer.name} sent a bad embedding answer: ${(error as Error).message}`,
              "upstream",
              false,
            ),
          );
          bus.send(peer.id, "EMBC:", { requestId: data.requestId, reason: "bad answer" });
        }
      }),
      bus.on("EMBX:", (peer, failure) => {
        this.#pending.get(`${peer.id}/${failure.requestId}`)?.reject(
          new HostFailure(
            `${peer.name}: ${failure.message}`,
            failure.code,
            false,
            failure.retryAfterMs,
          ),
        );
      }),
      bus.onLinkDown((peer) => {
        for (const pending of this.#pending.values()) {
          if (pending.peer.id === peer.id) {
            pending.reject(new HostFailure(`link to ${peer.name} went down`, "link_down", false));
          }
        }
      }),
    ];
  }

  get openRequests(): number {
    return this.#pending.size;
  }

  close(): void {
    for (const off of this.#unsubscribe) off();
    for (const pending of this.#pending.values()) {
      pending.reject(new HostFailure("this node is shutting down", "shutting_down", false));
    }
  }

  /** Embeds `request.inputs` on `peer`; throws HostFailure, or the signal's reason when aborted. */
  embed(
    peer: PeerRef,
    request: Omit<EmbedRequestMessage, "requestId">,
    signal?: AbortSignal,
  ): Promise<RemoteEmbedResult> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    const { bus, clock } = this.options;
    const requestId = `${this.#prefix}-${(this.#nextId++).toString(36)}`;
    const key = `${peer.id}/${requestId}`;
    return new Promise<RemoteEmbedResult>((resolve, reject) => {
      let timer: TimerHandle | undefined;
      let settled = false;
      const finish = (hostDone: boolean, reason?: string) => {
        settled = true;
        if (timer !== undefined) clock.clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        this.#pending.delete(key);
        if (!hostDone) bus.send(peer.id, "EMBC:", { requestId, reason });
      };
      const onAbort = () => {
        if (settled) return;
        finish(false, "aborted by the client");
        reject(signal!.reason);
      };
      const pending: Pending = {
        peer,
        assembly: new VectorAssembly(request.inputs.length),
        resolve: (result) => {
          if (settled) return;
          finish(true);
          resolve(result);
        },
        reject: (error) => {
          if (settled) return;
          finish(true);
          reject(error);
        },
        touch: () => {
          if (timer !== undefined) clock.clearTimeout(timer);
          timer = clock.setTimeout(() => {
            if (settled) return;
            finish(false, "timed out");
            reject(
              new HostFailure(
                `${peer.name} sent nothing for ${this.#idleTimeoutMs} ms`,
                "timeout",
                false,
              ),
            );
          }, this.#idleTimeoutMs);
        },
      };
      this.#pending.set(key, pending);
      signal?.addEventListener("abort", onAbort, { once: true });
      pending.touch();
      if (!bus.send(peer.id, "EMBR:", { ...request, requestId })) {
        pending.reject(new HostFailure(`no link to ${peer.name}`, "link_down", false));
      }
    });
  }
}
