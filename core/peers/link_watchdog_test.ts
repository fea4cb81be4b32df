import assert from "node:assert/strict";
import {
  nextPartialClock,
  nextPingAt,
  PARTIAL_PROGRESS_BYTES,
  watchdogDeadline,
  type WatchdogFacts,
  watchdogVerdict,
} from "./link_watchdog.ts";

const limits = {
  heartbeatMs: 100,
  linkTimeoutMs: 500,
  partialFrameTimeoutMs: 400,
  handshakeTimeoutMs: 300,
};
const quiet: WatchdogFacts = {
  now: 10_000,
  startedAt: 9_000,
  lastReceivedAt: 10_000,
  partialSince: null,
  partialBytes: 0,
  writeStartedAt: null,
  up: true,
  leads: true,
  lastPingAt: 10_000,
  lastRttAt: 10_000,
};

Deno.test("watchdogVerdict() ends, pings or waits, first rule first", () => {
  const table: [string, Partial<WatchdogFacts>, ReturnType<typeof watchdogVerdict>][] = [
    ["all fresh", {}, null],
    ["the dialer pings after a heartbeat of quiet", {
      lastReceivedAt: 9_900,
      lastPingAt: 9_900,
    }, "ping"],
    ["traffic received is a sign of life: no ping", { lastPingAt: 9_000, lastRttAt: 9_000 }, null],
    ["the accepting side waits 1.5 heartbeats", {
      leads: false,
      lastReceivedAt: 9_900,
      lastPingAt: 9_000,
    }, null],
    ["then backs the dialer up", {
      leads: false,
      lastReceivedAt: 9_850,
      lastPingAt: 9_000,
    }, "ping"],
    ["a busy link refreshes its round trip every 15 heartbeats", {
      lastPingAt: 8_500,
      lastRttAt: 8_500,
    }, "ping"],
    ["never two pings within a heartbeat", { lastReceivedAt: 9_800, lastPingAt: 9_950 }, null],
    ["no heartbeat in the handshake", {
      lastReceivedAt: 9_800,
      lastPingAt: 0,
      up: false,
      startedAt: 9_950,
    }, null],
    ["handshake too long", { up: false, startedAt: 9_700 }, {
      reason: "handshake timed out after 300 ms",
      sayBye: false,
      handshake: true,
    }],
    ["silent just under the limit", { lastReceivedAt: 9_501, lastPingAt: 9_950 }, null],
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

Deno.test("nextPingAt() waits for quiet, never pings twice in a heartbeat", () => {
  assert.equal(nextPingAt(quiet, limits), 10_100);
  assert.equal(nextPingAt({ ...quiet, leads: false }, limits), 10_150);
  assert.equal(nextPingAt({ ...quiet, lastReceivedAt: 9_000 }, limits), 10_100);
  assert.equal(nextPingAt({ ...quiet, lastRttAt: 8_000, lastReceivedAt: 20_000 }, limits), 10_100);
});

Deno.test("watchdogDeadline() is the first moment a verdict can change", () => {
  const table: [string, Partial<WatchdogFacts>, number][] = [
    ["up and idle: the next ping", {}, 10_100],
    ["in the handshake: its deadline", { up: false, startedAt: 9_900 }, 10_200],
    [
      "in the handshake, silence first",
      { up: false, startedAt: 9_900, lastReceivedAt: 9_600 },
      10_100,
    ],
    ["a partial frame", { partialSince: 9_650, lastPingAt: 20_000 }, 10_050],
    ["a stuck write", { writeStartedAt: 9_520, lastPingAt: 20_000 }, 10_020],
  ];
  for (const [name, facts, expected] of table) {
    const all = { ...quiet, ...facts };
    assert.equal(watchdogDeadline(all, limits), expected, name);
    // Nothing changes before the deadline (the sweep may sleep until then).
    assert.equal(watchdogVerdict({ ...all, now: expected - 1 }, limits), null, name);
    assert.notEqual(watchdogVerdict({ ...all, now: expected }, limits), null, name);
  }
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
