import type { PeerBus, PeerRef } from "../peers/bus.ts";
import type { Clock, TimerHandle } from "../time/clock.ts";
import type { ToolCall } from "./chat.ts";
import type {
  AccessResponse,
  InferenceDone,
  InferenceRequest,
  RefusalCode,
} from "../wire/messages/llm.ts";
import { AsyncQueue } from "./async_queue.ts";

/** `stalled`: the host sent no text within its stall deadline (stall_detector.ts). */
export type HostFailureCode = RefusalCode | "link_down" | "timeout" | "stalled";

/** A remote host refused or broke off a stream. `started` says whether text had arrived. */
export class HostFailure extends Error {
  constructor(
    message: string,
    readonly code: HostFailureCode,
    readonly started: boolean,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = "HostFailure";
  }
}

export type RemoteEvent =
  | { type: "text"; content: string; thinking?: string; toolCalls?: ToolCall[] }
  | { type: "done"; done: InferenceDone };

export interface InferenceClientOptions {
  bus: PeerBus;
  clock: Clock;
  /** A stream with no frame for this long is given up. @default 300_000 */
  idleTimeoutMs?: number;
  /** Wait for `LRES:` at most this long. @default 5_000 */
  accessTimeoutMs?: number;
}

interface OpenStream {
  peer: PeerRef;
  queue: AsyncQueue<RemoteEvent>;
  started: boolean;
  /** The host ended the stream itself (IEND, IERR) or the link is gone: no ICAN needed. */
  hostEnded: boolean;
  touch(): void;
}

/**
 * The client side of remote inference: many concurrent streams over one link, told apart by
 * stream id. A stream fails with HostFailure on `IERR:`, link loss or silence, and sends
 * `ICAN:` when its consumer stops early or its signal aborts.
 */
export class InferenceClient {
  #streams = new Map<string, OpenStream>();
  #access = new Map<
    string,
    { resolve: (r: AccessResponse) => void; peerId: string; model?: string }
  >();
  #unsubscribe: (() => void)[];
  #nextId = 0;
  readonly #prefix = crypto.randomUUID().slice(0, 8);
  readonly #idleTimeoutMs: number;
  readonly #accessTimeoutMs: number;

  constructor(private readonly options: InferenceClientOptions) {
    this.#idleTimeoutMs = options.idleTimeoutMs ?? 300_000;
    this.#accessTimeoutMs = options.accessTimeoutMs ?? 5_000;
    const { bus } = options;
    const stream = (peer: PeerRef, streamId: string) => {
      const open = this.#streams.get(`${peer.id}/${streamId}`);
      open?.touch();
      return open;
    };
    this.#unsubscribe = [
      // A link-up for a peer we await an access answer from means its connection was replaced
      // (a duplicate swap): the request may have gone down the old one. Asking again is safe,
      // the host answers each request id and a second answer finds nobody waiting.
      bus.onLinkUp((peer) => {
        for (const [requestId, pending] of this.#access) {
          if (pending.peerId === peer.id) {
            bus.send(peer.id, "LREQ:", { requestId, model: pending.model });
          }
        }
      }),
      bus.on("TOKN:", (peer, token) => {
        const open = stream(peer, token.streamId);
        if (!open) return;
        open.started = true;
        open.queue.push({
          type: "text",
          content: token.content,
          thinking: token.thinking,
          ...(token.toolCalls?.length ? { toolCalls: token.toolCalls } : {}),
        });
      }),
      bus.on("IEND:", (peer, done) => {
        const open = stream(peer, done.streamId);
        if (!open) return;
        open.hostEnded = true;
        open.queue.push({ type: "done", done });
        open.queue.end();
      }),
      bus.on("IERR:", (peer, error) => {
        const open = stream(peer, error.streamId);
        if (!open) return;
        open.hostEnded = true;
        open.queue.fail(
          new HostFailure(
            `${peer.name}: ${error.message}`,
            error.code,
            error.started,
            error.retryAfterMs,
          ),
        );
      }),
      bus.on("LRES:", (peer, response) => {
        const waiting = this.#access.get(response.requestId);
        if (waiting && waiting.peerId === peer.id) waiting.resolve(response);
      }),
      bus.onLinkDown((peer) => {
        for (const open of this.#streams.values()) {
          if (open.peer.id === peer.id) {
            open.hostEnded = true;
            open.queue.fail(
              new HostFailure(`link to ${peer.name} went down`, "link_down", open.started),
            );
          }
        }
        for (const [id, waiting] of this.#access) {
          if (waiting.peerId === peer.id) {
            waiting.resolve({
              requestId: id,
              granted: false,
              reason: "upstream",
              message: "link down",
              ttlMs: 0,
            });
          }
        }
      }),
    ];
  }

  get openStreams(): number {
    return this.#streams.size;
  }

  close(): void {
    for (const off of this.#unsubscribe) off();
    for (const open of this.#streams.values()) {
      open.queue.fail(new HostFailure("this node is shutting down", "shutting_down", open.started));
    }
  }

  #id(): string {
    return `${this.#prefix}-${(this.#nextId++).toString(36)}`;
  }

  /** Asks `peer` for access (`LREQ:`); a missing answer counts as a refusal with ttl 0. */
  requestAccess(peer: PeerRef, model?: string): Promise<AccessResponse> {
    const requestId = this.#id();
    const { bus, clock } = this.options;
    return new Promise((resolve) => {
      const timer = clock.setTimeout(() => {
        finish({
          requestId,
          granted: false,
          reason: "upstream",
          message:
            `${peer.name} did not answer the access request within ${this.#accessTimeoutMs} ms`,
          ttlMs: 0,
        });
      }, this.#accessTimeoutMs);
      const finish = (response: AccessResponse) => {
        clock.clearTimeout(timer);
        this.#access.delete(requestId);
        resolve(response);
      };
      this.#access.set(requestId, { resolve: finish, peerId: peer.id, model });
      if (!bus.send(peer.id, "LREQ:", { requestId, model })) {
        finish({
          requestId,
          granted: false,
          reason: "upstream",
          message: `no link to ${peer.name}`,
          ttlMs: 0,
        });
      }
    });
  }

  /**
   * Opens a stream on `peer`. Yields text events then one done event; throws HostFailure
   * when the host refuses or fails, and the signal's reason when aborted.
   */
  async *stream(
    peer: PeerRef,
    request: Omit<InferenceRequest, "streamId">,
    signal?: AbortSignal,
  ): AsyncGenerator<RemoteEvent> {
    signal?.throwIfAborted();
    const { bus, clock } = this.options;
    const streamId = this.#id();
    const key = `${peer.id}/${streamId}`;
    const queue = new AsyncQueue<RemoteEvent>();
    let timer: TimerHandle | undefined;
    const touch = () => {
      if (timer !== undefined) clock.clearTimeout(timer);
      timer = clock.setTimeout(() => {
        queue.fail(
          new HostFailure(
            `${peer.name} sent nothing for ${this.#idleTimeoutMs} ms`,
            "timeout",
            open.started,
          ),
        );
      }, this.#idleTimeoutMs);
    };
    const open: OpenStream = { peer, queue, started: false, hostEnded: false, touch };
    const onAbort = () => queue.fail(signal!.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
    this.#streams.set(key, open);
    touch();
    try {
      if (!bus.send(peer.id, "INFR:", { ...request, streamId })) {
        throw new HostFailure(`no link to ${peer.name}`, "link_down", false);
      }
      while (true) {
        const next = await queue.next();
        if (next.done) break;
        yield next.value;
      }
    } finally {
      if (timer !== undefined) clock.clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      this.#streams.delete(key);
      // The host is still generating for us unless it ended or refused the stream itself.
      if (!open.hostEnded) {
        bus.send(peer.id, "ICAN:", {
          streamId,
          reason: signal?.aborted ? "aborted by the client" : "stopped",
        });
      }
    }
  }
}
