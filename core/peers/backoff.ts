/** Delays for redialing a peer: exponential growth, capped, with "full jitter". */
export interface BackoffOptions {
  /** Upper bound of the first delay. @default {250} */
  baseMs?: number;
  /** No delay exceeds this. @default {10_000} */
  capMs?: number;
  /** Uniform random in [0, 1); injectable for tests. @default {Math.random} */
  random?: () => number;
}

/**
 * The delay before retry number `attempt` (0-based): a uniform random value in
 * `[0, min(cap, base * 2^attempt))`. Full jitter spreads nodes that lost each other at the same
 * moment, so their redials rarely collide (AWS "Exponential Backoff And Jitter").
 */
export function backoffDelay(attempt: number, options: BackoffOptions = {}): number {
  const { baseMs = 250, capMs = 10_000, random = Math.random } = options;
  if (!Number.isInteger(attempt) || attempt < 0) {
    throw new RangeError(
      `Cannot compute backoff: 'attempt' must be an integer >= 0, got ${attempt}`,
    );
  }
  if (!(baseMs > 0) || !(capMs >= baseMs)) {
    throw new RangeError(
      `Cannot compute backoff: need 0 < baseMs <= capMs, got baseMs=${baseMs} capMs=${capMs}`,
    );
  }
  // 2^attempt overflows to Infinity for huge attempts; min() keeps that harmless.
  const ceiling = Math.min(capMs, baseMs * 2 ** attempt);
  return Math.floor(random() * ceiling);
}
