import { type Clock, systemClock, type TimerHandle } from "../time/clock.ts";

/**
 * Looks at one member when its deadline comes: does what fell due (time `now`, already moved
 * forward by the sweep's slack) and returns its next deadline, or null when it needs none.
 */
export type SweepCheck = (now: number) => number | null;

/** A member of a sweep: its deadline can be brought forward, and it leaves once. */
export interface SweepHandle {
  /** Brings the deadline forward to `due` (a later one is ignored: the next check sets it). */
  lower(due: number): void;
  remove(): void;
}

interface Member {
  due: number;
  check: SweepCheck;
  removed: boolean;
}

/**
 * One timer for the watchdogs of all links: it wakes at the earliest deadline of any member
 * and checks every member that is due, so 50 idle links cost one wakeup per heartbeat round,
 * not 50 timers each second. A link's deadline only moves later while bytes flow (its read
 * loop touches no timer); the check that then finds nothing due returns the new deadline.
 *
 * `slackMs` lets members due within that much of a wakeup be handled in it (their pings go a
 * little early) instead of waking the process again a moment later; `gridMs` puts wakeups on a
 * grid (deadlines are met up to that much late), so links whose pings fall due at different
 * moments are checked together.
 */
export class LinkSweep {
  readonly #clock: Clock;
  readonly #slackMs: number;
  readonly #gridMs: number;
  #members = new Set<Member>();
  #timer: TimerHandle | undefined;
  /** When the armed timer fires (Infinity when none is armed). */
  #armedAt = Infinity;
  #sweeping = false;

  constructor(clock: Clock, slackMs = 0, gridMs = 0) {
    this.#clock = clock;
    this.#slackMs = slackMs;
    this.#gridMs = gridMs;
  }

  /** Members registered (for tests and status). */
  get size(): number {
    return this.#members.size;
  }

  /** Adds a member first checked at `due`. */
  add(check: SweepCheck, due: number): SweepHandle {
    const member: Member = { due, check, removed: false };
    this.#members.add(member);
    if (due < this.#armedAt) this.#arm(due);
    return {
      lower: (next) => {
        if (member.removed || next >= member.due) return;
        member.due = next;
        if (next < this.#armedAt) this.#arm(next);
      },
      remove: () => {
        if (member.removed) return;
        member.removed = true;
        this.#members.delete(member);
        if (this.#members.size === 0) this.#disarm();
      },
    };
  }

  #arm(at: number): void {
    if (this.#sweeping) return; // the sweep re-arms for the earliest deadline when it ends
    this.#disarm();
    if (this.#gridMs > 0) at = Math.ceil(at / this.#gridMs) * this.#gridMs;
    this.#armedAt = at;
    this.#timer = this.#clock.setTimeout(() => this.#sweep(), Math.max(0, at - this.#clock.now()));
  }

  #disarm(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#armedAt = Infinity;
  }

  #sweep(): void {
    this.#timer = undefined;
    this.#armedAt = Infinity;
    this.#sweeping = true;
    let earliest = Infinity;
    try {
      const horizon = this.#clock.now() + this.#slackMs;
      // A snapshot: checks may close links (removing members) or open others.
      for (const member of [...this.#members]) {
        if (member.removed) continue;
        if (member.due <= horizon) {
          // Never due again within this sweep's horizon: that would spin.
          member.due = Math.max(member.check(horizon) ?? Infinity, horizon + 1);
          if (member.removed) continue;
        }
        if (member.due < earliest) earliest = member.due;
      }
    } finally {
      this.#sweeping = false;
    }
    // Members added or lowered during the checks were not re-armed for; include them.
    for (const member of this.#members) if (member.due < earliest) earliest = member.due;
    if (earliest !== Infinity) this.#arm(earliest);
  }

  /**
   * The sweep shared by every link on `clock`. On the real clock it wakes on a 250 ms grid with
   * 50 ms of slack (heartbeats are seconds apart; a timeout is met at most 250 ms late).
   */
  static forClock(clock: Clock): LinkSweep {
    let sweep = shared.get(clock);
    if (!sweep) {
      const real = clock === systemClock;
      sweep = new LinkSweep(clock, real ? 50 : 0, real ? 250 : 0);
      shared.set(clock, sweep);
    }
    return sweep;
  }
}

const shared = new WeakMap<Clock, LinkSweep>();
