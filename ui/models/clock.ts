import { signal } from "@preact/signals";

/**
 * The page's clock for relative times ("uptime", "last seen"): ticks every second so those
 * texts age without waiting for the node to send something new.
 */
export const now = signal(Date.now());

const TICK_MS = 1_000;
let ticking = false;

export function startClock(): void {
  if (ticking) return;
  ticking = true;
  setInterval(() => (now.value = Date.now()), TICK_MS);
}
