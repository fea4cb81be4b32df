import assert from "node:assert/strict";
import { createClock } from "./clock.ts";

Deno.test("the clock ticks every second once started, and starts only once", () => {
  let time = 100;
  const ticks: { tick: () => void; ms: number }[] = [];
  const clock = createClock({ now: () => time, every: (tick, ms) => ticks.push({ tick, ms }) });
  assert.equal(clock.now.value, 100);
  clock.start();
  clock.start();
  assert.equal(ticks.length, 1);
  assert.equal(ticks[0].ms, 1_000);
  time = 1_100;
  ticks[0].tick();
  assert.equal(clock.now.value, 1_100);
});
