import assert from "node:assert/strict";
import {
  nextPartialClock,
  PARTIAL_PROGRESS_BYTES,
  type WatchdogFacts,
  watchdogIntervalMs,
  watchdogVerdict,
} from "./link_watchdog.ts";

const limits = { heartbeatMs: 100, linkTimeoutMs: 500, partialFrameTimeoutMs: 400 };
const quiet: WatchdogFacts = {
  now: 10_000,
  lastReceivedAt: 10_000,
  partialSince: null,
  partialBytes: 0,
  writeStartedAt: null,
  up: true,
  lastPingAt: 10_000,
};

Deno.test("watchdogVerdict() ends, pings or waits, first rule first", () => {
  const table: [string, Partial<WatchdogFacts>, ReturnType<typeof watchdogVerdict>][] = [
    ["all fresh", {}, null],
    ["heartbeat due", { lastPingAt: 9_900 }, "ping"],
    ["no heartbeat in the handshake", { lastPingAt: 0, up: false }, null],
    ["silent just under the limit", { lastReceivedAt: 9_501 }, null],
    ["silent for the limit", { lastReceivedAt: 9_500 }, {
      reason: "peer silent for 500 ms",
      sayBye: true,
    }],
    ["partial frame stalled", { partialSince: 9_600, partialBytes: 12 }, {
      reason: "partial frame stalled for 400 ms (12 bytes buffered)",
      sayBye: true,
    }],
    ["a write stuck: no BYE behind it", { writeStartedAt: 9_500 }, {
      reason: "peer not reading: a write has waited 500 ms",
      sayBye: false,
    }],
    ["silence beats a stall", { lastReceivedAt: 0, partialSince: 0, writeStartedAt: 0 }, {
      reason: "peer silent for 10000 ms",
      sayBye: true,
    }],
  ];
  for (const [name, facts, expected] of table) {
    assert.deepEqual(watchdogVerdict({ ...quiet, ...facts }, limits), expected, name);
  }
});

Deno.test("watchdogIntervalMs() follows the tightest limit, within 5 ms and 1 s", () => {
  assert.equal(watchdogIntervalMs(limits), 100);
  assert.equal(watchdogIntervalMs({ ...limits, partialFrameTimeoutMs: 60 }), 30);
  assert.equal(watchdogIntervalMs({ ...limits, heartbeatMs: 1 }), 5);
  assert.equal(
    watchdogIntervalMs({
      heartbeatMs: 5_000,
      linkTimeoutMs: 60_000,
      partialFrameTimeoutMs: 60_000,
    }),
    1_000,
  );
});

Deno.test("nextPartialClock() restarts on progress and stops between frames", () => {
  const read = { now: 500, midFrame: true, bufferedBytes: 100, completedAny: false };
  const table: [
    string,
    Parameters<typeof nextPartialClock>,
    ReturnType<typeof nextPartialClock>,
  ][] = [
    ["between frames", [{ since: 1, bytes: 9 }, { ...read, midFrame: false }], null],
    ["a frame starts", [null, read], { since: 500, bytes: 100 }],
    ["a little growth is no progress", [{ since: 1, bytes: 9 }, read], { since: 1, bytes: 9 }],
    ["64 KiB more is progress", [{ since: 1, bytes: 9 }, {
      ...read,
      bufferedBytes: 9 + PARTIAL_PROGRESS_BYTES,
    }], { since: 500, bytes: 9 + PARTIAL_PROGRESS_BYTES }],
    ["a completed frame is progress", [{ since: 1, bytes: 9 }, { ...read, completedAny: true }], {
      since: 500,
      bytes: 100,
    }],
  ];
  for (const [name, args, expected] of table) {
    assert.deepEqual(nextPartialClock(...args), expected, name);
  }
});
