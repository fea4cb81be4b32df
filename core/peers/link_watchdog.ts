/** The limits a link's watchdog enforces (see LinkOptions for their defaults). */
export interface WatchdogLimits {
  heartbeatMs: number;
  linkTimeoutMs: number;
  partialFrameTimeoutMs: number;
}

/** What the link knows at a watchdog tick. Times are clock milliseconds. */
export interface WatchdogFacts {
  now: number;
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
  lastPingAt: number;
}

/** A verdict that ends the link: its reason, and whether a BYE!: is still worth sending. */
export interface WatchdogEnd {
  reason: string;
  sayBye: boolean;
}

/** Growth that counts as progress for a partial frame (defeats one-byte-at-a-time slow loris). */
export const PARTIAL_PROGRESS_BYTES = 64 * 1024;

/**
 * What one tick decides: end the link (a silent peer, a stalled partial frame, a peer that
 * stopped reading), send a PING, or nothing. A peer that stopped reading gets no BYE: the write
 * would only queue behind the stuck one.
 */
export function watchdogVerdict(
  facts: WatchdogFacts,
  limits: WatchdogLimits,
): WatchdogEnd | "ping" | null {
  const { now } = facts;
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
  if (facts.up && now - facts.lastPingAt >= limits.heartbeatMs) return "ping";
  return null;
}

/** How often the watchdog ticks: often enough for the tightest limit, between 5 ms and 1 s. */
export function watchdogIntervalMs(limits: WatchdogLimits): number {
  return Math.max(
    5,
    Math.min(1_000, limits.heartbeatMs, limits.linkTimeoutMs / 2, limits.partialFrameTimeoutMs / 2),
  );
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
