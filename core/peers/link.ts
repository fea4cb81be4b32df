import { decodeMessage } from "../wire/codec.ts";
import { FrameDecoder, FrameError } from "../wire/decoder.ts";
import { DEFAULT_MAX_FRAME_BYTES, HEADER_BYTES } from "../wire/frame.ts";
import type { Marker, Message, PayloadOf } from "../wire/messages/index.ts";
import type { Auth, Hello, Ping } from "../wire/messages/link.ts";
import type { Logger } from "../log/logger.ts";
import { type Clock, systemClock, type TimerHandle } from "./clock.ts";
import { Outbox } from "./outbox.ts";
import type { Connection } from "./transport.ts";

export type LinkDirection = "in" | "out";
export type LinkState = "handshake" | "up" | "closed";

/** Why a link ended; `cause` tells the manager how to log it and whether to redial. */
export interface LinkDown {
  reason: string;
  cause:
    | "local" // we closed it on purpose (shutdown, duplicate, refused peer)
    | "bye" // the peer said BYE!: (its reason is in `byeReason`)
    | "eof" // the peer closed the connection without BYE
    | "io" // reading or writing failed
    | "protocol" // the peer broke the protocol (bad frame, unknown marker, no HELO first…)
    | "timeout"; // handshake, silence, stalled partial frame or a peer that stopped reading
  byeReason?: string;
  /** True when the handshake had completed. */
  wasUp: boolean;
}

export interface LinkStats {
  since: number;
  /** Last time any byte arrived. */
  lastSeen: number;
  bytesIn: number;
  bytesOut: number;
  framesIn: number;
  framesOut: number;
  /** Moving average of heartbeat round trips; null before the first PONG. */
  rttMs: number | null;
}

export interface LinkHandlers {
  onUp?(link: Link): void;
  /** A validated message that is not link control (HELO/PING/PONG/BYE). */
  onMessage?(link: Link, message: Message): void;
  /** Called exactly once, as soon as the link is decided closed. */
  onDown?(link: Link, down: LinkDown): void;
}

/**
 * Proves our identity to the peer and checks the peer's proof: the `AUTH:` frame each side
 * sends once the other's HELO passed `verifyHello` (core/security/link_guard.ts implements it).
 */
export interface LinkAuthenticator {
  /** Our AUTH: payload for this link. */
  prove(remote: Hello, link: Link): Promise<Auth>;
  /** Checks the peer's AUTH:: a refusal reason, or null to go on to admission. */
  verify(remote: Hello, auth: Auth, link: Link): Promise<string | null>;
}

export interface LinkOptions {
  connection: Connection;
  direction: LinkDirection;
  /** What we tell the peer; the link adds its own `nonce`. */
  hello: Omit<Hello, "nonce">;
  handlers?: LinkHandlers;
  /**
   * Checks the peer's HELO before the link goes up: returns a refusal reason or null. The
   * place where an authenticating transport verifies a signed Hello.
   */
  verifyHello?: (remote: Hello, link: Link) => Promise<string | null> | string | null;
  /** When set, the handshake is HELO then AUTH: both ways (see LinkAuthenticator). */
  authenticator?: LinkAuthenticator;
  /**
   * Last, synchronous admission check (own id, duplicate links). The link goes up in the same
   * tick when it returns null, so the caller's bookkeeping cannot race.
   */
  admit?: (remote: Hello, link: Link) => string | null;
  /** @default {DEFAULT_MAX_FRAME_BYTES} */
  maxFrameBytes?: number;
  /**
   * Bytes a peer may have buffered with us before the handshake is done, and the largest frame
   * it may announce until then: HELO and AUTH: are small, so an unauthenticated peer cannot
   * make us hold (or allocate for) a large frame. @default {256 KiB}
   */
  maxHandshakeBytes?: number;
  /** Interval between PINGs. @default {2_000} */
  heartbeatMs?: number;
  /** A peer that sends nothing for this long is lost. @default {10_000} */
  linkTimeoutMs?: number;
  /** Both HELOs must be exchanged within this. @default {5_000} */
  handshakeTimeoutMs?: number;
  /** A partial frame must complete or grow by 64 KiB within this. @default {10_000} */
  partialFrameTimeoutMs?: number;
  /** Unsent bytes beyond which the peer counts as not reading and is dropped. @default {maxFrameBytes + 16 MiB} */
  maxQueuedBytes?: number;
  /** How long a graceful close waits for queued frames and the BYE to be written. @default {1_000} */
  closeFlushMs?: number;
  clock?: Clock;
  logger?: Logger;
}

/** Growth that counts as progress for a partial frame (defeats one-byte-at-a-time slow loris). */
const PARTIAL_PROGRESS_BYTES = 64 * 1024;
const RTT_SMOOTHING = 0.25;
const MAX_BYE_REASON = 256;

/**
 * The protocol engine for one connection (Syncthing style: it runs on a byte stream, never on a
 * socket). Exchanges HELO first, then heartbeats, validated messages and BYE; enforces every
 * timeout; batches writes with one write in flight and a bounded queue.
 */
export class Link {
  readonly direction: LinkDirection;
  readonly connection: Connection;
  /** Random token sent in our HELO (see duplicate.ts). */
  readonly nonce: string;
  /** Resolves once the connection is closed and the read and write loops have ended. */
  readonly closed: Promise<void>;

  #options: LinkOptions;
  #clock: Clock;
  #state: LinkState = "handshake";
  #remote: Hello | null = null;
  /** With an authenticator: which frame the handshake waits for after HELO:. */
  #awaiting: "AUTH:" | "ACPT:" | null = null;
  #decoder: FrameDecoder;
  #maxFrameBytes: number;
  #maxHandshakeBytes: number;
  #heartbeatMs: number;
  #linkTimeoutMs: number;
  #partialFrameTimeoutMs: number;
  #maxQueuedBytes: number;

  #stats: LinkStats;
  #lastReceivedAt: number;
  #lastPingAt = 0;
  #pingSeq = 0;
  #partial: { since: number; bytes: number } | null = null;

  #outbox = new Outbox();
  #flushScheduled = false;
  #writeActive = false;
  #writeDone: Promise<void> = Promise.resolve();
  #writeStartedAt: number | null = null;
  #closeWhenFlushed = false;
  #drainWaiters: { lowWaterBytes: number; resolve: () => void }[] = [];

  #handshakeTimer: TimerHandle | undefined;
  #tickTimer: TimerHandle | undefined;
  #closeFlushTimer: TimerHandle | undefined;
  #reading: Promise<void> = Promise.resolve();
  #connectionClosed = false;
  #resolveClosed!: () => void;

  constructor(options: LinkOptions) {
    this.#options = options;
    this.connection = options.connection;
    this.direction = options.direction;
    this.#clock = options.clock ?? systemClock;
    this.#maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    this.#maxHandshakeBytes = options.maxHandshakeBytes ?? 256 * 1024;
    this.#heartbeatMs = options.heartbeatMs ?? 2_000;
    this.#linkTimeoutMs = options.linkTimeoutMs ?? 10_000;
    this.#partialFrameTimeoutMs = options.partialFrameTimeoutMs ?? 10_000;
    this.#maxQueuedBytes = options.maxQueuedBytes ?? this.#maxFrameBytes + 16 * 1024 * 1024;
    // Until the handshake is done a header may announce no more than it may buffer in all.
    this.#decoder = new FrameDecoder(Math.min(this.#maxFrameBytes, this.#maxHandshakeBytes));
    this.nonce = randomNonce();
    const now = this.#clock.now();
    this.#lastReceivedAt = now;
    this.#stats = {
      since: now,
      lastSeen: now,
      bytesIn: 0,
      bytesOut: 0,
      framesIn: 0,
      framesOut: 0,
      rttMs: null,
    };
    this.closed = new Promise((resolve) => this.#resolveClosed = resolve);
  }

  get state(): LinkState {
    return this.#state;
  }
  /** The peer's HELO, once received. */
  get remote(): Hello | null {
    return this.#remote;
  }
  get stats(): Readonly<LinkStats> {
    return this.#stats;
  }
  /** Bytes queued and not yet handed to the transport. */
  get queuedBytes(): number {
    return this.#outbox.bytes;
  }
  /** Node id and HELO nonce of the side that dialed (for the duplicate-link rule). */
  get initiator(): { initiatorId: string; initiatorNonce: string } {
    if (this.direction === "out") {
      return { initiatorId: this.#options.hello.nodeId, initiatorNonce: this.nonce };
    }
    return { initiatorId: this.#remote?.nodeId ?? "", initiatorNonce: this.#remote?.nonce ?? "" };
  }

  /** Sends our HELO and starts reading, the handshake timer and heartbeats. */
  start(): void {
    this.#enqueue("HELO:", { ...this.#options.hello, nonce: this.nonce });
    const handshakeMs = this.#options.handshakeTimeoutMs ?? 5_000;
    this.#handshakeTimer = this.#clock.setTimeout(() => {
      this.#handshakeTimer = undefined;
      if (this.#state === "handshake") {
        this.#shutdown({ reason: `handshake timed out after ${handshakeMs} ms`, cause: "timeout" });
      }
    }, handshakeMs);
    this.#scheduleTick();
    this.#reading = this.#readLoop();
  }

  /** Queues a typed message; false when the link is not up (or the frame cannot be sent). */
  send<M extends Marker>(marker: M, payload: PayloadOf<M>): boolean {
    return this.#state === "up" && this.#enqueue(marker, payload);
  }

  /** Queues an already encoded frame (encode once with encodeMessage, send to many). */
  sendFrame(frame: Uint8Array): boolean {
    return this.#state === "up" && this.#enqueue(null, frame);
  }

  /**
   * Resolves once at most `lowWaterBytes` are queued (or the link closed): lets a bulk sender
   * pace itself instead of hitting the queue limit.
   */
  drained(lowWaterBytes = 0): Promise<void> {
    if (this.#outbox.bytes <= lowWaterBytes || this.#connectionClosed) return Promise.resolve();
    return new Promise((resolve) => this.#drainWaiters.push({ lowWaterBytes, resolve }));
  }

  /** Graceful close: flushes what is queued, sends BYE!: with `reason`, then closes. */
  close(reason: string): void {
    this.#shutdown({ reason, cause: "local" }, true);
  }

  /** Abrupt close: drops the connection at once, no BYE (a crash, as the peer sees it). */
  abort(reason: string): void {
    this.#shutdown({ reason, cause: "local" });
  }

  // ---- handshake -------------------------------------------------------------------------

  /**
   * The whole handshake, in one place: the first frame must be HELO:, of our protocol version,
   * accepted by the authentication hook. With an authenticator, each side then sends AUTH:,
   * checks the other's, and says ACPT: when it lets the peer in; a side goes up on the peer's
   * ACPT:, so a refusal on either end keeps both ends down. Last comes the owner's admission
   * rule, in the same tick as going up, so two links to one node cannot both slip through.
   */
  async #handshake(message: Message): Promise<void> {
    if (message.marker === "BYE!:" && this.#remote !== null) {
      // The peer refused us after our HELO (unapproved, wrong mesh key…): its reason is ours.
      return this.#receive(message);
    }
    if (this.#awaiting === "AUTH:") return this.#checkAuth(message);
    if (this.#awaiting === "ACPT:") {
      if (message.marker !== "ACPT:") {
        throw new FrameError(`expected ACPT: after AUTH:, got ${message.marker}`);
      }
      return this.#finishHandshake(this.#remote!, null);
    }
    if (message.marker !== "HELO:") {
      throw new FrameError(`expected HELO: as first frame, got ${message.marker}`);
    }
    const remote = message.payload;
    this.#remote = remote;
    const ours = this.#options.hello.protocolVersion;
    let refusal: string | null = remote.protocolVersion === ours
      ? null
      : versionRefusal(ours, remote.protocolVersion);
    if (refusal === null && this.#options.verifyHello) {
      try {
        refusal = await this.#options.verifyHello(remote, this);
      } catch (error) {
        refusal = `hello verification failed: ${(error as Error).message}`;
      }
      if (this.#isClosed()) return;
    }
    const authenticator = this.#options.authenticator;
    if (refusal === null && authenticator) {
      let auth: Auth;
      try {
        auth = await authenticator.prove(remote, this);
      } catch (error) {
        refusal = `cannot prove our identity: ${(error as Error).message}`;
      }
      if (this.#isClosed()) return;
      if (refusal === null) {
        this.#awaiting = "AUTH:";
        this.#enqueue("AUTH:", auth!);
        return;
      }
    }
    this.#finishHandshake(remote, refusal);
  }

  async #checkAuth(message: Message): Promise<void> {
    if (message.marker !== "AUTH:") {
      throw new FrameError(`expected AUTH: after HELO:, got ${message.marker}`);
    }
    let refusal: string | null;
    try {
      refusal = await this.#options.authenticator!.verify(this.#remote!, message.payload, this);
    } catch (error) {
      refusal = `authentication failed: ${(error as Error).message}`;
    }
    if (this.#isClosed()) return;
    if (refusal) {
      this.#shutdown({ reason: refusal, cause: "local" }, true);
      return;
    }
    this.#awaiting = "ACPT:";
    this.#enqueue("ACPT:", {});
  }

  #finishHandshake(remote: Hello, refusal: string | null): void {
    refusal ??= this.#options.admit?.(remote, this) ?? null;
    if (refusal) {
      this.#shutdown({ reason: refusal, cause: "local" }, true);
      return;
    }
    this.#clearTimer("handshake");
    this.#state = "up";
    this.#decoder.maxPayloadBytes = this.#maxFrameBytes;
    this.#lastPingAt = this.#clock.now();
    this.#flushSoon(); // frames queued by onUp go out together
    this.#options.handlers?.onUp?.(this);
  }

  // ---- reading ---------------------------------------------------------------------------

  async #readLoop(): Promise<void> {
    try {
      while (!this.#isClosed()) {
        const chunk = await this.connection.read();
        if (this.#isClosed()) return;
        if (chunk === null) {
          this.#shutdown({ reason: "connection closed by peer", cause: "eof" });
          return;
        }
        const now = this.#clock.now();
        this.#lastReceivedAt = now;
        this.#stats.lastSeen = now;
        this.#stats.bytesIn += chunk.length;
        this.#decoder.feed(chunk);
        let completed = false;
        // One frame at a time: the handshake frame that brings the link up raises the frame
        // limit for the very next header, even one that arrived in the same read.
        for (let frame = this.#decoder.next(); frame !== null; frame = this.#decoder.next()) {
          completed = true;
          const message = decodeMessage(frame);
          this.#stats.framesIn++;
          if (this.#state === "handshake") await this.#handshake(message);
          else this.#receive(message);
          if (this.#isClosed()) return;
        }
        this.#trackPartialFrame(now, completed);
      }
    } catch (error) {
      if (this.#state === "closed") return;
      const message = (error as Error).message;
      if (error instanceof FrameError) {
        this.#shutdown({ reason: `protocol error: ${message}`, cause: "protocol" }, true);
      } else {
        this.#shutdown({ reason: `read failed: ${message}`, cause: "io" });
      }
    }
  }

  #receive(message: Message): void {
    switch (message.marker) {
      case "PING:":
        this.#enqueue("PONG:", message.payload);
        return;
      case "PONG:":
        this.#recordRtt(message.payload);
        return;
      case "BYE!:":
        this.#shutdown({
          reason: `peer said bye: ${message.payload.reason}`,
          cause: "bye",
          byeReason: message.payload.reason,
        });
        return;
      case "HELO:":
      case "AUTH:":
      case "ACPT:":
        throw new FrameError(`unexpected ${message.marker} after the handshake`);
      default:
        try {
          this.#options.handlers?.onMessage?.(this, message);
        } catch (error) {
          this.#options.logger?.error("message handler failed", {
            marker: message.marker,
            error: error as Error,
          });
        }
    }
  }

  #recordRtt(pong: Ping): void {
    const sample = this.#clock.now() - pong.sentAt;
    if (!(sample >= 0) || sample > this.#linkTimeoutMs) return; // not an echo of our PING
    const previous = this.#stats.rttMs;
    this.#stats.rttMs = previous === null ? sample : previous + RTT_SMOOTHING * (sample - previous);
  }

  /** Starts or refreshes the partial-frame clock; it only runs while a frame is incomplete. */
  #trackPartialFrame(now: number, completedAny: boolean): void {
    if (!this.#decoder.midFrame) {
      this.#partial = null;
      return;
    }
    const bytes = this.#decoder.bufferedBytes;
    if (
      this.#partial === null || completedAny ||
      bytes - this.#partial.bytes >= PARTIAL_PROGRESS_BYTES
    ) {
      this.#partial = { since: now, bytes };
    }
  }

  // ---- timers ----------------------------------------------------------------------------

  #scheduleTick(): void {
    const interval = Math.max(
      5,
      Math.min(1_000, this.#heartbeatMs, this.#linkTimeoutMs / 2, this.#partialFrameTimeoutMs / 2),
    );
    this.#tickTimer = this.#clock.setTimeout(() => {
      this.#tickTimer = undefined;
      this.#tick();
      if (this.#state !== "closed") this.#scheduleTick();
    }, interval);
  }

  #tick(): void {
    const now = this.#clock.now();
    const silentMs = now - this.#lastReceivedAt;
    if (silentMs >= this.#linkTimeoutMs) {
      this.#shutdown(
        { reason: `peer silent for ${Math.round(silentMs)} ms`, cause: "timeout" },
        true,
      );
      return;
    }
    if (this.#partial && now - this.#partial.since >= this.#partialFrameTimeoutMs) {
      this.#shutdown({
        reason: `partial frame stalled for ${Math.round(now - this.#partial.since)} ms ` +
          `(${this.#decoder.bufferedBytes} bytes buffered)`,
        cause: "timeout",
      }, true);
      return;
    }
    if (this.#writeStartedAt !== null && now - this.#writeStartedAt >= this.#linkTimeoutMs) {
      this.#shutdown({
        reason: `peer not reading: a write has waited ${Math.round(now - this.#writeStartedAt)} ms`,
        cause: "timeout",
      });
      return;
    }
    if (this.#state === "up" && now - this.#lastPingAt >= this.#heartbeatMs) {
      this.#lastPingAt = now;
      this.#enqueue("PING:", { seq: this.#pingSeq++, sentAt: now });
    }
  }

  #clearTimer(which: "handshake" | "tick" | "closeFlush"): void {
    const id = which === "handshake"
      ? this.#handshakeTimer
      : which === "tick"
      ? this.#tickTimer
      : this.#closeFlushTimer;
    if (id !== undefined) this.#clock.clearTimeout(id);
    if (which === "handshake") this.#handshakeTimer = undefined;
    else if (which === "tick") this.#tickTimer = undefined;
    else this.#closeFlushTimer = undefined;
  }

  // ---- writing ---------------------------------------------------------------------------

  /** Queues a message (`marker` + payload) or, with a null marker, an encoded frame. */
  #enqueue(marker: string | null, payload: unknown): boolean {
    if (this.#connectionClosed || this.#closeWhenFlushed) return false;
    let payloadBytes: number;
    if (marker === null) {
      const frame = payload as Uint8Array;
      payloadBytes = frame.length - HEADER_BYTES;
      if (payloadBytes <= this.#maxFrameBytes) this.#outbox.pushFrame(frame);
    } else {
      payloadBytes = this.#outbox.pushJson(marker, payload, this.#maxFrameBytes);
    }
    if (payloadBytes < 0 || payloadBytes > this.#maxFrameBytes) {
      this.#options.logger?.warn("frame too large to send", {
        marker: marker ?? undefined,
        limit: this.#maxFrameBytes,
      });
      return false;
    }
    this.#stats.framesOut++;
    if (this.#outbox.bytes > this.#maxQueuedBytes) {
      this.#shutdown({
        reason:
          `peer not reading: ${this.#outbox.bytes} bytes queued, limit ${this.#maxQueuedBytes}`,
        cause: "timeout",
      });
      return false;
    }
    this.#flushSoon();
    return true;
  }

  /** Flushes on the next microtask, so frames queued in the same tick share one write. */
  #flushSoon(): void {
    if (this.#flushScheduled || this.#writeActive) return;
    this.#flushScheduled = true;
    queueMicrotask(() => {
      this.#flushScheduled = false;
      if (!this.#writeActive) this.#writeDone = this.#writeLoop();
    });
  }

  async #writeLoop(): Promise<void> {
    this.#writeActive = true;
    try {
      while (!this.#connectionClosed) {
        const batch = this.#outbox.take();
        if (!batch) break;
        this.#writeStartedAt = this.#clock.now();
        await this.connection.write(batch);
        this.#writeStartedAt = null;
        this.#stats.bytesOut += batch.length;
        this.#outbox.recycle(batch);
        if (this.#drainWaiters.length > 0) this.#releaseDrainWaiters();
      }
    } catch (error) {
      this.#writeStartedAt = null;
      if (!this.#connectionClosed) {
        this.#shutdown({ reason: `write failed: ${(error as Error).message}`, cause: "io" });
      }
    } finally {
      this.#writeActive = false;
    }
    if (this.#closeWhenFlushed) this.#closeConnection();
    else if (!this.#outbox.empty) this.#flushSoon();
  }

  // ---- closing ---------------------------------------------------------------------------

  /** A method, not a field read, so TypeScript does not narrow the state across awaits. */
  #isClosed(): boolean {
    return this.#state === "closed";
  }

  /**
   * Decides the link is over: reports down once, stops timers, and closes the connection,
   * after flushing queued frames plus a BYE!: when `sayBye` (bounded by closeFlushMs).
   */
  #shutdown(down: Omit<LinkDown, "wasUp">, sayBye = false): void {
    if (this.#state === "closed") return;
    const wasUp = this.#state === "up";
    this.#state = "closed";
    this.#clearTimer("handshake");
    this.#clearTimer("tick");
    if (sayBye && !this.#connectionClosed) {
      this.#enqueue("BYE!:", { reason: down.reason.slice(0, MAX_BYE_REASON) });
      this.#closeWhenFlushed = true;
      const flushMs = this.#options.closeFlushMs ?? 1_000;
      this.#closeFlushTimer = this.#clock.setTimeout(() => {
        this.#closeFlushTimer = undefined;
        this.#closeConnection();
      }, flushMs);
      this.#flushSoon();
    } else {
      this.#closeConnection();
    }
    this.#options.handlers?.onDown?.(this, { ...down, wasUp });
  }

  #releaseDrainWaiters(): void {
    const waiting = this.#drainWaiters;
    this.#drainWaiters = [];
    for (const waiter of waiting) {
      if (this.#outbox.bytes <= waiter.lowWaterBytes || this.#connectionClosed) waiter.resolve();
      else this.#drainWaiters.push(waiter);
    }
  }

  #closeConnection(): void {
    if (this.#connectionClosed) return;
    this.#connectionClosed = true;
    this.#clearTimer("closeFlush");
    this.#outbox.clear();
    this.#releaseDrainWaiters();
    this.connection.close();
    Promise.allSettled([this.#reading, this.#writeDone]).then(() => this.#resolveClosed());
  }
}

function randomNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Why a peer of another protocol version is refused, saying which side must upgrade. */
export function versionRefusal(ours: number, theirs: number): string {
  const older = theirs < ours ? "the peer" : "this node";
  return `protocol version mismatch (ours ${ours}, theirs ${theirs}): upgrade NeuroMesh on ${older}; ` +
    "nodes of different versions do not link";
}
