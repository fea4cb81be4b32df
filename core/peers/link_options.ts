/** What a Link (link.ts) is built from and what it reports: options, handlers, stats, end. */
import type { Message } from "../wire/messages/index.ts";
import type { Auth, Hello } from "../wire/messages/link.ts";
import type { Logger } from "../log/logger.ts";
import type { Clock } from "../time/clock.ts";
import type { Link } from "./link.ts";
import type { LinkSweep } from "./link_sweep.ts";
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
  /**
   * A validated message that is not link control (HELO/PING/PONG/BYE). After `retire()`, also
   * those the peer sent before it saw our BYE, though the link was reported down.
   */
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
  /**
   * Quiet that makes the dialer send a PING (the accepting side waits 1.5 times as long).
   * Any frame received counts as a sign of life, so a busy link sends no heartbeats (only a
   * PING every 15 heartbeats to refresh its round trip). @default {2_000}
   */
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
  /** How long a retired link reads on, waiting for the peer to close its end. @default {5_000} */
  retireDrainMs?: number;
  clock?: Clock;
  /** The watchdog sweep this link joins. @default {LinkSweep.forClock(clock)} */
  sweep?: LinkSweep;
  logger?: Logger;
}
