import { type ReadonlySignal, signal } from "@preact/signals";

const TICK_MS = 1_000;

/**
 * The page's clock for relative times ("uptime", "last seen"): ticks every second so those
 * texts age without waiting for the node to send something new.
 */
export interface ClockModel {
  readonly now: ReadonlySignal<number>;
  /** Starts ticking; calling it again does nothing. */
  start(): void;
}

export function createClock(
  { now = Date.now, every = (tick: () => void, ms: number) => void setInterval(tick, ms) }: {
    now?: () => number;
    every?: (tick: () => void, ms: number) => void;
  } = {},
): ClockModel {
  const time = signal(now());
  let ticking = false;
  return {
    now: time,
    start() {
      if (ticking) return;
      ticking = true;
      every(() => (time.value = now()), TICK_MS);
    },
  };
}
