import assert from "node:assert/strict";
import { FakeClock } from "../time/clock.ts";
import { LinkSweep } from "./link_sweep.ts";

Deno.test("LinkSweep arms one timer for all members, at the earliest deadline", () => {
  const clock = new FakeClock(0);
  const sweep = new LinkSweep(clock);
  const seen: string[] = [];
  const member = (name: string, every: number) => (now: number) => {
    seen.push(`${name}@${now}`);
    return now + every;
  };
  sweep.add(member("a", 300), 300);
  sweep.add(member("b", 500), 500);
  sweep.add(member("c", 1_000), 100);
  assert.equal(clock.pendingTimers, 1);
  clock.advance(1_000);
  assert.deepEqual(seen, ["c@100", "a@300", "b@500", "a@600", "a@900", "b@1000"]);
  assert.equal(clock.pendingTimers, 1);
});

Deno.test("LinkSweep.lower() brings a deadline forward; remove() of the last member leaves no timer", () => {
  const clock = new FakeClock(0);
  const sweep = new LinkSweep(clock);
  const seen: number[] = [];
  const handle = sweep.add((now) => {
    seen.push(now);
    return now + 1_000;
  }, 1_000);
  handle.lower(2_000); // later: ignored
  handle.lower(200);
  clock.advance(300);
  assert.deepEqual(seen, [200]);
  handle.remove();
  assert.equal(sweep.size, 0);
  assert.equal(clock.pendingTimers, 0);
  clock.advance(5_000);
  assert.deepEqual(seen, [200]);
});

Deno.test("LinkSweep handles members due within its slack in the same wakeup", () => {
  const clock = new FakeClock(0);
  const sweep = new LinkSweep(clock, 50);
  const seen: string[] = [];
  sweep.add((now) => (seen.push(`a@${now}`), null), 100);
  sweep.add((now) => (seen.push(`b@${now}`), null), 130);
  sweep.add((now) => (seen.push(`c@${now}`), null), 400);
  clock.advance(100);
  assert.deepEqual(seen, ["a@150", "b@150"], "b rode along with a");
  clock.advance(300);
  assert.deepEqual(seen, ["a@150", "b@150", "c@450"]);
});

Deno.test("LinkSweep lets a check remove members and add new ones", () => {
  const clock = new FakeClock(0);
  const sweep = new LinkSweep(clock);
  const seen: string[] = [];
  const victim = sweep.add(() => {
    seen.push("victim");
    return null;
  }, 200);
  sweep.add(() => {
    seen.push("closer");
    victim.remove();
    sweep.add((now) => (seen.push(`newcomer@${now}`), null), 150);
    return null;
  }, 100);
  clock.advance(1_000);
  assert.deepEqual(seen, ["closer", "newcomer@150"]);
});

Deno.test("LinkSweep on a grid checks members due at different moments in one wakeup", () => {
  const clock = new FakeClock(0);
  const sweep = new LinkSweep(clock, 0, 250);
  const seen: string[] = [];
  sweep.add((now) => (seen.push(`a@${now}`), null), 30);
  sweep.add((now) => (seen.push(`b@${now}`), null), 240);
  sweep.add((now) => (seen.push(`c@${now}`), null), 260);
  clock.advance(249);
  assert.deepEqual(seen, []);
  clock.advance(1);
  assert.deepEqual(seen, ["a@250", "b@250"]);
  clock.advance(250);
  assert.deepEqual(seen, ["a@250", "b@250", "c@500"]);
});
