/**
 * Hybrid logical clock: wall-clock milliseconds plus a counter plus the node id. Stamps from
 * one node strictly increase, a node that hears a stamp never issues a smaller one afterwards,
 * and the string encoding sorts like the stamps themselves:
 * `WWWWWWWWWWWWWWW-CCCCCC-<nodeId>` (15-digit wall ms, 6-digit counter).
 */
export interface HlcStamp {
  wallMs: number;
  counter: number;
  nodeId: string;
}

const WALL_DIGITS = 15;
const COUNTER_DIGITS = 6;
const MAX_COUNTER = 10 ** COUNTER_DIGITS - 1;
const MAX_WALL = 10 ** WALL_DIGITS - 1;

/** Matches an encoded stamp; node ids are at most 128 characters, as on the wire. */
export const HLC_PATTERN = /^\d{15}-\d{6}-.{1,128}$/s;

export function encodeHlc(stamp: HlcStamp): string {
  if (!Number.isInteger(stamp.wallMs) || stamp.wallMs < 0 || stamp.wallMs > MAX_WALL) {
    throw new RangeError(
      `Cannot encode HLC: wallMs must be an integer 0-${MAX_WALL}, got ${stamp.wallMs}`,
    );
  }
  if (!Number.isInteger(stamp.counter) || stamp.counter < 0 || stamp.counter > MAX_COUNTER) {
    throw new RangeError(
      `Cannot encode HLC: counter must be an integer 0-${MAX_COUNTER}, got ${stamp.counter}`,
    );
  }
  if (stamp.nodeId.length === 0) throw new RangeError("Cannot encode HLC: nodeId is empty");
  return `${String(stamp.wallMs).padStart(WALL_DIGITS, "0")}-${
    String(stamp.counter).padStart(COUNTER_DIGITS, "0")
  }-${stamp.nodeId}`;
}

export function decodeHlc(text: string): HlcStamp {
  if (!HLC_PATTERN.test(text)) throw new RangeError(`not an HLC stamp: ${JSON.stringify(text)}`);
  return {
    wallMs: Number(text.slice(0, WALL_DIGITS)),
    counter: Number(text.slice(WALL_DIGITS + 1, WALL_DIGITS + 1 + COUNTER_DIGITS)),
    nodeId: text.slice(WALL_DIGITS + COUNTER_DIGITS + 2),
  };
}

/** Wall-clock milliseconds carried by an encoded stamp. */
export function hlcWallMs(text: string): number {
  return Number(text.slice(0, WALL_DIGITS));
}

export interface HybridClockOptions {
  /** Source of wall time in ms (injected in tests). */
  wallClock?: () => number;
  /**
   * A remote stamp further ahead of our wall clock than this is not adopted (its record is
   * still accepted), so one node with a wrong clock cannot drag every other clock forward.
   */
  maxDriftMs?: number;
  /** Last stamp this node issued before a restart, so stamps keep increasing across restarts. */
  last?: string;
}

export class HybridClock {
  #wallMs = 0;
  #counter = 0;
  readonly #wallClock: () => number;
  readonly #maxDriftMs: number;

  constructor(readonly nodeId: string, options: HybridClockOptions = {}) {
    if (nodeId.length === 0) throw new RangeError("HybridClock needs a non-empty nodeId");
    this.#wallClock = options.wallClock ?? Date.now;
    this.#maxDriftMs = options.maxDriftMs ?? 24 * 60 * 60 * 1000;
    if (options.last) this.receive(options.last);
  }

  /** A new stamp, greater than every stamp issued or received before. */
  now(): string {
    const wall = Math.floor(this.#wallClock());
    if (wall > this.#wallMs) {
      this.#wallMs = wall;
      this.#counter = 0;
    } else {
      this.#tick();
    }
    return encodeHlc({ wallMs: this.#wallMs, counter: this.#counter, nodeId: this.nodeId });
  }

  /** Folds in a stamp heard from another node; returns false when it was too far ahead to adopt. */
  receive(remote: string): boolean {
    const stamp = decodeHlc(remote);
    const wall = Math.floor(this.#wallClock());
    if (stamp.wallMs > wall + this.#maxDriftMs) return false;
    if (stamp.wallMs > this.#wallMs) {
      this.#wallMs = stamp.wallMs;
      this.#counter = stamp.counter;
    } else if (stamp.wallMs === this.#wallMs && stamp.counter > this.#counter) {
      this.#counter = stamp.counter;
    }
    return true;
  }

  #tick() {
    if (this.#counter < MAX_COUNTER) {
      this.#counter++;
    } else {
      // Counter exhausted within one millisecond: borrow the next millisecond.
      this.#wallMs++;
      this.#counter = 0;
    }
  }
}
