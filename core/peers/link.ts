import { decodeMessage } from "../wire/codec.ts";
import { FrameDecoder, FrameError } from "../wire/decoder.ts";
import { DEFAULT_MAX_FRAME_BYTES } from "../wire/frame.ts";
import type { Marker, Message, PayloadOf } from "../wire/messages/index.ts";
import type { Auth, Hello, Ping } from "../wire/messages/link.ts";
import { type Clock, systemClock, type TimerHandle } from "../time/clock.ts";
import type { LinkDirection, LinkDown, LinkOptions, LinkState, LinkStats } from "./link_options.ts";
import { LinkSweep, type SweepHandle } from "./link_sweep.ts";
import {
  nextPartialClock,
  type PartialClock,
  watchdogDeadline,
  type WatchdogFacts,
  type WatchdogLimits,
  watchdogVerdict,
} from "./link_watchdog.ts";
import { LinkWriter } from "./link_writer.ts";
import type { Connection } from "./transport.ts";

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
  #limits: WatchdogLimits;

  #stats: LinkStats;
  #startedAt: number;
  #lastReceivedAt: number;
  #lastPingAt = 0;
  #lastRttAt = 0;
  #pingSeq = 0;
  #partial: PartialClock | null = null;

  #writer: LinkWriter;
  /** Retired: down, but still reading what the peer sent before it saw our BYE. */
  #draining = false;
  /** Our last frames (and BYE) are written. */
  #flushed = false;

  /** This link's place in the shared watchdog sweep (no timer of its own while open). */
  #sweep: LinkSweep;
  #watch: SweepHandle | null = null;
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
    this.#limits = {
      heartbeatMs: options.heartbeatMs ?? 2_000,
      linkTimeoutMs: options.linkTimeoutMs ?? 10_000,
      partialFrameTimeoutMs: options.partialFrameTimeoutMs ?? 10_000,
      handshakeTimeoutMs: options.handshakeTimeoutMs ?? 5_000,
    };
    this.#sweep = options.sweep ?? LinkSweep.forClock(this.#clock);
    // Until the handshake is done a header may announce no more than it may buffer in all.
    const maxHandshakeBytes = options.maxHandshakeBytes ?? 256 * 1024;
    this.#decoder = new FrameDecoder(Math.min(this.#maxFrameBytes, maxHandshakeBytes));
    this.nonce = randomNonce();
    const now = this.#clock.now();
    this.#startedAt = now;
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
    this.#writer = new LinkWriter({
      connection: this.connection,
      clock: this.#clock,
      maxFrameBytes: this.#maxFrameBytes,
      maxQueuedBytes: options.maxQueuedBytes ?? this.#maxFrameBytes + 16 * 1024 * 1024,
      stats: this.#stats,
      onFailure: (reason, cause) => this.#shutdown({ reason, cause }),
      logger: options.logger,
    });
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
    return this.#writer.queuedBytes;
  }
  /** Node id and HELO nonce of the side that dialed (for the duplicate-link rule). */
  get initiator(): { initiatorId: string; initiatorNonce: string } {
    if (this.direction === "out") {
      return { initiatorId: this.#options.hello.nodeId, initiatorNonce: this.nonce };
    }
    return { initiatorId: this.#remote?.nodeId ?? "", initiatorNonce: this.#remote?.nonce ?? "" };
  }

  /** Sends our HELO and starts reading and the watchdog (handshake deadline, heartbeats). */
  start(): void {
    if (this.#watch !== null || this.#state === "closed") return;
    this.#enqueue("HELO:", { ...this.#options.hello, nonce: this.nonce });
    this.#startedAt = this.#lastReceivedAt = this.#clock.now();
    const facts = this.#facts(this.#startedAt);
    this.#watch = this.#sweep.add((now) => this.#check(now), watchdogDeadline(facts, this.#limits));
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
    return this.#writer.drained(lowWaterBytes);
  }

  /** Graceful close: flushes what is queued, sends BYE!: with `reason`, then closes. */
  close(reason: string): void {
    this.#shutdown({ reason, cause: "local" }, true);
  }

  /**
   * Closes a link that another connection to the same node replaces: reports it down, flushes
   * what is queued and a BYE!: with `reason`, writes nothing more, but goes on reading and
   * handing messages to onMessage until the peer closes its end or says BYE (at most
   * retireDrainMs), so frames the peer sent before it saw our BYE are not lost.
   */
  retire(reason: string): void {
    this.#shutdown({ reason, cause: "local" }, true, true);
  }

  /**
   * Abrupt close: drops the connection at once, no BYE (a crash, as the peer sees it). Also
   * cuts short a graceful close or a retired link still reading.
   */
  abort(reason: string): void {
    if (this.#state === "closed") this.#closeConnection();
    else this.#shutdown({ reason, cause: "local" });
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
    this.#state = "up";
    this.#decoder.maxPayloadBytes = this.#maxFrameBytes;
    const now = this.#clock.now();
    // One PING each way at once: both ends know the round trip from the start (the side that
    // does not dial never pings an idle link again, see link_watchdog.ts).
    this.#ping(now);
    this.#lastRttAt = now;
    this.#watch?.lower(watchdogDeadline(this.#facts(now), this.#limits));
    this.#writer.flushSoon(); // frames queued by onUp go out together
    this.#options.handlers?.onUp?.(this);
  }

  // ---- reading ---------------------------------------------------------------------------

  async #readLoop(): Promise<void> {
    try {
      while (this.#reads()) {
        const chunk = await this.connection.read();
        if (!this.#reads()) return;
        if (chunk === null) {
          if (this.#draining) this.#endDrain(); // the peer closed its end after our BYE
          else this.#shutdown({ reason: "connection closed by peer", cause: "eof" });
          return;
        }
        const now = this.#clock.now();
        this.#lastReceivedAt = now;
        this.#stats.lastSeen = now;
        this.#stats.bytesIn += chunk.length;
        this.#decoder.feed(chunk);
        let completedAny = false;
        // One frame at a time: the handshake frame that brings the link up raises the frame
        // limit for the very next header, even one that arrived in the same read.
        for (let frame = this.#decoder.next(); frame !== null; frame = this.#decoder.next()) {
          completedAny = true;
          const message = decodeMessage(frame);
          this.#stats.framesIn++;
          if (this.#state === "handshake") await this.#handshake(message);
          else this.#receive(message);
          if (!this.#reads()) return;
        }
        const { midFrame, bufferedBytes } = this.#decoder;
        const wasPartial = this.#partial !== null;
        this.#partial = nextPartialClock(this.#partial, {
          now,
          midFrame,
          bufferedBytes,
          completedAny,
        });
        // A frame left partial sets a deadline that may come before the watchdog's next look.
        if (!wasPartial && this.#partial !== null) {
          this.#watch?.lower(this.#partial.since + this.#limits.partialFrameTimeoutMs);
        }
      }
    } catch (error) {
      if (this.#state === "closed") {
        if (this.#draining) this.#endDrain();
        return;
      }
      const message = (error as Error).message;
      if (error instanceof FrameError) {
        this.#shutdown({ reason: `protocol error: ${message}`, cause: "protocol" }, true);
      } else {
        this.#shutdown({ reason: `read failed: ${message}`, cause: "io" });
      }
    }
  }

  /** Whether the read loop goes on: while open, and after retire() until the peer is done. */
  #reads(): boolean {
    return !this.#connectionClosed && (this.#state !== "closed" || this.#draining);
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
        if (this.#draining) return this.#endDrain(); // nothing follows a BYE
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
    if (!(sample >= 0) || sample > this.#limits.linkTimeoutMs) return; // not an echo of our PING
    const previous = this.#stats.rttMs;
    this.#stats.rttMs = previous === null ? sample : previous + RTT_SMOOTHING * (sample - previous);
    this.#lastRttAt = this.#clock.now();
  }

  // ---- watchdog -------------------------------------------------------------------------

  #facts(now: number): WatchdogFacts {
    return {
      now,
      startedAt: this.#startedAt,
      lastReceivedAt: this.#lastReceivedAt,
      partialSince: this.#partial?.since ?? null,
      partialBytes: this.#decoder.bufferedBytes,
      writeStartedAt: this.#writer.writeStartedAt,
      up: this.#state === "up",
      leads: this.direction === "out",
      lastPingAt: this.#lastPingAt,
      lastRttAt: this.#lastRttAt,
    };
  }

  #ping(now: number): void {
    this.#lastPingAt = now;
    this.#enqueue("PING:", { seq: this.#pingSeq++, sentAt: this.#clock.now() });
  }

  /** The shared sweep's look at this link: acts on the verdict, returns the next deadline. */
  #check(now: number): number | null {
    if (this.#state === "closed") return null;
    const verdict = watchdogVerdict(this.#facts(now), this.#limits);
    if (verdict === "ping") {
      this.#ping(now);
    } else if (verdict !== null) {
      this.#shutdown({ reason: verdict.reason, cause: "timeout" }, verdict.sayBye);
      return null;
    }
    return watchdogDeadline(this.#facts(now), this.#limits);
  }

  // ---- writing and closing ---------------------------------------------------------------

  /** Queues a message (`marker` + payload) or, with a null marker, an encoded frame. */
  #enqueue(marker: string | null, payload: unknown): boolean {
    return this.#writer.enqueue(marker, payload);
  }

  /** A method, not a field read, so TypeScript does not narrow the state across awaits. */
  #isClosed(): boolean {
    return this.#state === "closed";
  }

  /**
   * Decides the link is over: reports down once, stops timers, and closes the connection,
   * after flushing queued frames plus a BYE!: when `sayBye` (bounded by closeFlushMs). With
   * `drain` (an up link retired), reading goes on until the peer is done (retireDrainMs).
   */
  #shutdown(down: Omit<LinkDown, "wasUp">, sayBye = false, drain = false): void {
    if (this.#state === "closed") return;
    const wasUp = this.#state === "up";
    this.#state = "closed";
    this.#watch?.remove();
    if (sayBye && !this.#connectionClosed) {
      this.#draining = drain && wasUp;
      this.#enqueue("BYE!:", { reason: down.reason.slice(0, MAX_BYE_REASON) });
      this.#writer.end(() => {
        this.#flushed = true;
        if (!this.#draining) this.#closeConnection();
      });
      const waitMs = this.#draining
        ? this.#options.retireDrainMs ?? 5_000
        : this.#options.closeFlushMs ?? 1_000;
      this.#closeFlushTimer = this.#clock.setTimeout(() => {
        this.#closeFlushTimer = undefined;
        this.#closeConnection();
      }, waitMs);
    } else {
      this.#closeConnection();
    }
    this.#options.handlers?.onDown?.(this, { ...down, wasUp });
  }

  /** A retired link heard the peer's end: close once our own last frames are written. */
  #endDrain(): void {
    this.#draining = false;
    if (this.#flushed) this.#closeConnection();
  }

  #closeConnection(): void {
    if (this.#connectionClosed) return;
    this.#connectionClosed = true;
    this.#draining = false;
    if (this.#closeFlushTimer !== undefined) this.#clock.clearTimeout(this.#closeFlushTimer);
    this.#closeFlushTimer = undefined;
    this.#writer.close();
    this.connection.close();
    Promise.allSettled([this.#reading, this.#writer.done]).then(() => this.#resolveClosed());
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
