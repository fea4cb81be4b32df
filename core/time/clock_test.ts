import assert from "node:assert/strict";
import { FakeClock } from "./clock.ts";

Deno.test("FakeClock.advance() fires due timers in time order, including ones they schedule", () => {
  const clock = new FakeClock(0);
  const fired: string[] = [];
  clock.setTimeout(() => fired.push(`b@${clock.now()}`), 20);
  clock.setTimeout(() => {
    fired.push(`a@${clock.now()}`);
    clock.setTimeout(() => fired.push(`c@${clock.now()}`), 5);
  }, 10);
  const cancelled = clock.setTimeout(() => fired.push("never"), 15);
  clock.clearTimeout(cancelled);
  clock.advance(30);
  assert.deepEqual(fired, ["a@10", "c@15", "b@20"]);
  assert.equal(clock.now(), 30);
  assert.equal(clock.pendingTimers, 0);
});
