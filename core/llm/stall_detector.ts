/**
 * When a host's answer counts as stalled, decided without I/O: the deadline for the next chunk
 * of a stream from what the stream itself showed (its longest gap so far) and what the host
 * usually shows for that model (time to first token, longest gap), kept between a floor and a
 * ceiling. A stream past its deadline is failed over like a dead host (docs/llm.md, "Stalls").
 */

/** The limits of stall detection; the composition root may change each. */
export interface StallLimits {
  /** A gap between chunks shorter than this is never a stall. @default 5_000 */
  minGapMs: number;
  /** Never wait longer than this for a first token without a usual one to go by. @default 300_000 */
  maxMs: number;
  /** A first token is never given up on sooner than this. @default 60_000 */
  minFirstTokenMs: number;
  /** A gap this many times the longest gap seen (in this stream or usually) is a stall. @default 10 */
  gapFactor: number;
  /** A first token this many times later than usual is a stall. @default 5 */
  firstTokenFactor: number;
}

export const DEFAULT_STALL_LIMITS: StallLimits = {
  minGapMs: 5_000,
  maxMs: 300_000,
  minFirstTokenMs: 60_000,
  gapFactor: 10,
  firstTokenFactor: 5,
};

/** What a host usually shows for a model (undefined while nothing was measured). */
export interface UsualTiming {
  /** Time from request to the first chunk, ms. */
  firstTokenMs?: number;
  /** Longest gap between two chunks of one answer, ms. */
  longestGapMs?: number;
}

/** One stream so far (times in ms of one clock). */
export interface StreamProgress {
  startedAt: number;
  /** When the last chunk with text arrived; undefined before the first. */
  lastAt?: number;
  /** Longest gap between two chunks with text so far. */
  longestGapMs: number;
}

/** How long to wait from `lastAt` (or `startedAt`) for the next chunk. */
export function stallWaitMs(
  progress: StreamProgress,
  usual: UsualTiming,
  limits: StallLimits = DEFAULT_STALL_LIMITS,
): number {
  if (progress.lastAt === undefined) {
    if (!(usual.firstTokenMs! > 0)) return limits.maxMs;
    return clamp(
      usual.firstTokenMs! * limits.firstTokenFactor,
      limits.minFirstTokenMs,
      limits.maxMs,
    );
  }
  const longest = Math.max(progress.longestGapMs, usual.longestGapMs ?? 0);
  return clamp(longest * limits.gapFactor, limits.minGapMs, limits.maxMs);
}

/** The time by which the next chunk must arrive, or the stream is stalled. */
export function stallDeadline(
  progress: StreamProgress,
  usual: UsualTiming,
  limits: StallLimits = DEFAULT_STALL_LIMITS,
): number {
  return (progress.lastAt ?? progress.startedAt) + stallWaitMs(progress, usual, limits);
}

/** `progress` after a chunk with text arrived at `at`. */
export function withChunkAt(progress: StreamProgress, at: number): StreamProgress {
  if (progress.lastAt === undefined) return { ...progress, lastAt: at };
  return {
    ...progress,
    lastAt: at,
    longestGapMs: Math.max(progress.longestGapMs, at - progress.lastAt),
  };
}

/** The limits with some replaced, checked: a RangeError names a bad value. */
export function stallLimitsOf(overrides: Partial<StallLimits> = {}): StallLimits {
  const limits = { ...DEFAULT_STALL_LIMITS, ...overrides };
  for (const [name, value] of Object.entries(limits)) {
    if (!(typeof value === "number" && value > 0 && Number.isFinite(value))) {
      throw new RangeError(
        `Cannot use stall limit '${name}': it must be a positive number, got ${value}`,
      );
    }
  }
  if (limits.minGapMs > limits.maxMs || limits.minFirstTokenMs > limits.maxMs) {
    throw new RangeError(
      `Cannot use stall limits: floors (${limits.minGapMs}, ${limits.minFirstTokenMs} ms) exceed maxMs ${limits.maxMs}`,
    );
  }
  return limits;
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
