import assert from "node:assert/strict";
import { FakeClock } from "../time/clock.ts";
import { TokenBatcher } from "./token_batcher.ts";

function setup(flushMs = 10) {
  const clock = new FakeClock();
  const sent: [string, string | undefined][] = [];
  const batcher = new TokenBatcher(
    clock,
    flushMs,
    (content, thinking) => sent.push([content, thinking]),
  );
  return { clock, sent, batcher };
}

Deno.test("TokenBatcher sends the first piece at once and joins the next ones within the window", () => {
  const { clock, sent, batcher } = setup();
  batcher.push("Hel");
  assert.deepEqual(sent, [["Hel", undefined]]);
  batcher.push("lo");
  batcher.push(" wor");
  clock.advance(9);
  assert.equal(sent.length, 1);
  clock.advance(1);
  assert.deepEqual(sent, [["Hel", undefined], ["lo wor", undefined]]);
  assert.equal(batcher.sent, 2);
});

Deno.test("TokenBatcher sends at once when the window has passed since the last send", () => {
  const { clock, sent, batcher } = setup();
  batcher.push("a");
  clock.advance(50);
  batcher.push("b");
  assert.deepEqual(sent.map((s) => s[0]), ["a", "b"]);
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("TokenBatcher.flush() sends pending text and thinking now; discard() drops it", () => {
  const { clock, sent, batcher } = setup();
  batcher.push("", "hmm");
  batcher.push("x", " ok");
  batcher.flush();
  assert.deepEqual(sent, [["", "hmm"], ["x", " ok"]]);
  batcher.push("y");
  batcher.discard();
  clock.advance(100);
  assert.equal(sent.length, 2);
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("TokenBatcher with a zero window sends every piece", () => {
  const { sent, batcher } = setup(0);
  for (const piece of ["a", "b", "c"]) batcher.push(piece);
  assert.deepEqual(sent.map((s) => s[0]), ["a", "b", "c"]);
});

Deno.test("TokenBatcher ignores empty pieces", () => {
  const { sent, batcher } = setup();
  batcher.push("");
  batcher.flush();
  assert.deepEqual(sent, []);
});
