import assert from "node:assert/strict";
import { silentLogger } from "../log/logger.ts";
import { FakeClock } from "../time/clock.ts";
import { ChangeNotifier } from "./change_notifier.ts";

Deno.test("ChangeNotifier turns a burst of changes into one notification per interval", () => {
  const clock = new FakeClock();
  const notifier = new ChangeNotifier(clock, 250, silentLogger);
  let calls = 0;
  notifier.onChange(() => calls++);
  notifier.changed();
  notifier.changed();
  clock.advance(0);
  assert.equal(calls, 1, "the first change is told at once");
  notifier.changed();
  notifier.changed();
  clock.advance(249);
  assert.equal(calls, 1, "later changes wait for the interval");
  clock.advance(1);
  assert.equal(calls, 2);
});

Deno.test("ChangeNotifier keeps telling the other listeners when one throws, and stops on close", () => {
  const clock = new FakeClock();
  const notifier = new ChangeNotifier(clock, 10, silentLogger);
  const heard: string[] = [];
  notifier.onChange(() => {
    throw new Error("broken listener");
  });
  const off = notifier.onChange(() => heard.push("b"));
  notifier.changed();
  clock.advance(0);
  assert.deepEqual(heard, ["b"]);
  off();
  notifier.onChange(() => heard.push("c"));
  notifier.changed();
  notifier.close();
  clock.advance(100);
  assert.deepEqual(heard, ["b"]);
  assert.equal(clock.pendingTimers, 0);
});
