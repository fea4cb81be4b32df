import { type Clock, systemClock, type TimerHandle } from "../time/clock.ts";
import type { EventHub, LiveEventType } from "./hub.ts";

/** Changes within this long of the first make one event. */
export const DEFAULT_COALESCE_MS = 25;

/**
 * Publishes a whole-state event (the peer table, this node's status) once for a burst of
 * changes, and only when a page listens: a node joining a mesh of 50 sees hundreds of link and
 * dial changes, and building the 50-row table for each was O(n²) work nobody may be watching.
 */
export class CoalescedPublisher {
  #timer: TimerHandle | undefined;
  #closed = false;

  constructor(
    private readonly hub: EventHub,
    private readonly type: LiveEventType,
    private readonly state: () => unknown,
    private readonly clock: Clock = systemClock,
    private readonly delayMs = DEFAULT_COALESCE_MS,
  ) {}

  /** The state changed: the event follows within `delayMs` (if anyone listens then). */
  changed(): void {
    if (this.#closed || this.#timer !== undefined) return;
    this.#timer = this.clock.setTimeout(() => {
      this.#timer = undefined;
      if (this.hub.subscriberCount > 0) this.hub.publish(this.type, this.state());
    }, this.delayMs);
  }

  close(): void {
    this.#closed = true;
    if (this.#timer !== undefined) this.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
