import assert from "node:assert/strict";
import {
  DEFAULT_STALL_LIMITS,
  stallDeadline,
  stallLimitsOf,
  stallWaitMs,
  type StreamProgress,
  type UsualTiming,
  withChunkAt,
} from "./stall_detector.ts";

const limits = DEFAULT_STALL_LIMITS;
const fresh: StreamProgress = { startedAt: 1_000, longestGapMs: 0 };

Deno.test("stallWaitMs() follows the table of first-token and gap deadlines", () => {
  const cases: [string, StreamProgress, UsualTiming, number][] = [
    ["no first token, nothing known: the old ceiling", fresh, {}, 300_000],
    ["no first token, usually 2 s: the floor", fresh, { firstTokenMs: 2_000 }, 60_000],
    ["no first token, usually 20 s: 5×", fresh, { firstTokenMs: 20_000 }, 100_000],
    ["no first token, usually 100 s: the ceiling", fresh, { firstTokenMs: 100_000 }, 300_000],
    ["one token, no gap yet: the gap floor", { ...fresh, lastAt: 1_100 }, {}, 5_000],
    ["gaps of 50 ms: the floor", { ...fresh, lastAt: 2_000, longestGapMs: 50 }, {}, 5_000],
    ["a 2 s gap seen: 10×", { ...fresh, lastAt: 9_000, longestGapMs: 2_000 }, {}, 20_000],
    [
      "usually 1 s gaps, none yet here",
      { ...fresh, lastAt: 1_100 },
      { longestGapMs: 1_000 },
      10_000,
    ],
    ["a 60 s gap seen: the ceiling", { ...fresh, lastAt: 9e4, longestGapMs: 60_000 }, {}, 300_000],
  ];
  for (const [name, progress, usual, expected] of cases) {
    assert.equal(stallWaitMs(progress, usual, limits), expected, name);
  }
});

Deno.test("stallDeadline() counts from the last chunk, or from the start before one", () => {
  assert.equal(stallDeadline(fresh, {}, limits), 301_000);
  assert.equal(stallDeadline({ ...fresh, lastAt: 4_000 }, {}, limits), 9_000);
});

Deno.test("withChunkAt() keeps the longest gap between chunks", () => {
  let progress = withChunkAt(fresh, 1_500);
  assert.deepEqual(progress, { startedAt: 1_000, lastAt: 1_500, longestGapMs: 0 });
  progress = withChunkAt(withChunkAt(progress, 1_800), 1_900);
  assert.deepEqual(progress, { startedAt: 1_000, lastAt: 1_900, longestGapMs: 300 });
});

Deno.test("stallLimitsOf() fills defaults and refuses a bad value by name", () => {
  assert.deepEqual(stallLimitsOf({ minGapMs: 200 }), { ...limits, minGapMs: 200 });
  assert.throws(() => stallLimitsOf({ gapFactor: 0 }), /'gapFactor'.*got 0/);
  assert.throws(() => stallLimitsOf({ minGapMs: 400_000 }), /exceed maxMs 300000/);
});
