/** The limits a link's watchdog enforces (see LinkOptions for their defaults). */
export interface WatchdogLimits {
  heartbeatMs: number;
  linkTimeoutMs: number;
  partialFrameTimeoutMs: number;
  /** Both HELOs (and proofs) must be exchanged within this. */
  handshakeTimeoutMs: number;
}

/** What the link knows at a watchdog check. Times are clock milliseconds. */
export interface WatchdogFacts {
  now: number;
  /** When the link started (the handshake deadline counts from here). */
  startedAt: number;
  /** Last time any byte arrived. */
  lastReceivedAt: number;
  /** The frame being received has made no progress since then; null when none is partial. */
  partialSince: number | null;
  /** Bytes buffered of the partial frame (for the reason). */
  partialBytes: number;
  /** When the write in flight started; null when none is. */
  writeStartedAt: number | null;
  /** True once the handshake is done (heartbeats only then). */
  up: boolean;
  /** Whether this side keeps an idle link alive (the dialer); the other side only backs it up. */
  leads: boolean;
  /** Our last PING (or the moment the link went up). */
  lastPingAt: number;
  /** Our last round-trip sample (or the moment the link went up). */
  lastRttAt: number;
}

/** A verdict that ends the link: its reason, and whether a BYE!: is still worth sending. */
export interface WatchdogEnd {
  reason: string;
  sayBye: boolean;
  /** Whether the link ever came up (a handshake timeout says so). */
  handshake?: boolean;
}

/** Growth that counts as progress for a partial frame (defeats one-byte-at-a-time slow loris). */
export const PARTIAL_PROGRESS_BYTES = 64 * 1024;
/** The side that does not lead pings after this many heartbeats of quiet. */
export const BACKUP_PING_FACTOR = 1.5;
/** A link with traffic still measures its round trip this often (in heartbeats). */
export const RTT_REFRESH_HEARTBEATS = 15;

/**
 * When this side sends its next PING. Any frame received proves the peer alive, so a busy link
 * pings only to refresh its round trip (every RTT_REFRESH_HEARTBEATS); an idle one needs one
 * PING and its PONG per heartbeat, sent by the dialer alone (the other side answers, and pings
 * itself only when the dialer has been quiet for BACKUP_PING_FACTOR heartbeats).
 */
export function nextPingAt(facts: WatchdogFacts, limits: WatchdogLimits): number {
  const quietLimit = limits.heartbeatMs * (facts.leads ? 1 : BACKUP_PING_FACTOR);
  return Math.max(
    facts.lastPingAt + limits.heartbeatMs,
    Math.min(
      facts.lastReceivedAt + quietLimit,
      facts.lastRttAt + limits.heartbeatMs * RTT_REFRESH_HEARTBEATS,
    ),
  );
}

/**
 * What one check decides: end the link (a handshake that takes too long, a silent peer, a
 * stalled partial frame, a peer that stopped reading), send a PING, or nothing. A peer that
 * stopped reading gets no BYE: the write would only queue behind the stuck one.
 */
export function watchdogVerdict(
  facts: WatchdogFacts,
  limits: WatchdogLimits,
): WatchdogEnd | "ping" | null {
  const { now } = facts;
  if (!facts.up && now - facts.startedAt >= limits.handshakeTimeoutMs) {
    return {
      reason: `handshake timed out after ${limits.handshakeTimeoutMs} ms`,
      sayBye: false,
      handshake: true,
    };
  }
  const silentMs = now - facts.lastReceivedAt;
  if (silentMs >= limits.linkTimeoutMs) {
    return { reason: `peer silent for ${Math.round(silentMs)} ms`, sayBye: true };
  }
  if (facts.partialSince !== null && now - facts.partialSince >= limits.partialFrameTimeoutMs) {
    return {
      reason: `partial frame stalled for ${Math.round(now - facts.partialSince)} ms ` +
        `(${facts.partialBytes} bytes buffered)`,
      sayBye: true,
    };
  }
  if (facts.writeStartedAt !== null && now - facts.writeStartedAt >= limits.linkTimeoutMs) {
    return {
      reason: `peer not reading: a write has waited ${Math.round(now - facts.writeStartedAt)} ms`,
      sayBye: false,
    };
  }
  if (facts.up && now >= nextPingAt(facts, limits)) return "ping";
  return null;
}

/** The earliest time at which watchdogVerdict() can change its mind if nothing else happens. */
export function watchdogDeadline(facts: WatchdogFacts, limits: WatchdogLimits): number {
  let at = facts.lastReceivedAt + limits.linkTimeoutMs;
  if (!facts.up) at = Math.min(at, facts.startedAt + limits.handshakeTimeoutMs);
  if (facts.partialSince !== null) {
    at = Math.min(at, facts.partialSince + limits.partialFrameTimeoutMs);
  }
  if (facts.writeStartedAt !== null) at = Math.min(at, facts.writeStartedAt + limits.linkTimeoutMs);
  if (facts.up) at = Math.min(at, nextPingAt(facts, limits));
  return at;
}

/** Since when a partial frame has made no progress, as the read loop tracks it. */
export interface PartialClock {
  since: number;
  bytes: number;
}

/**
 * The partial-frame clock after a read: none when no frame is partial; restarted when a frame
 * completed in this read or the partial one grew by PARTIAL_PROGRESS_BYTES; else unchanged.
 */
export function nextPartialClock(
  previous: PartialClock | null,
  read: { now: number; midFrame: boolean; bufferedBytes: number; completedAny: boolean },
): PartialClock | null {
  if (!read.midFrame) return null;
  if (
    previous === null || read.completedAny ||
    read.bufferedBytes - previous.bytes >= PARTIAL_PROGRESS_BYTES
  ) {
    return { since: read.now, bytes: read.bufferedBytes };
  }
  return previous;
}
