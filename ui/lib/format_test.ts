import assert from "node:assert/strict";
import { formatAgo, formatBytes, formatDuration, formatRate, formatUptime } from "./format.ts";

Deno.test("formatDuration() picks ms, seconds or minutes", () => {
  assert.equal(formatDuration(420), "420 ms");
  assert.equal(formatDuration(2345), "2.3 s");
  assert.equal(formatDuration(42_000), "42 s");
  assert.equal(formatDuration(125_000), "2 min 5 s");
  assert.equal(formatDuration(-1), "–");
});

Deno.test("formatRate() shows one decimal below 10 tok/s and a dash when unknown", () => {
  assert.equal(formatRate(7.25), "7.3 tok/s");
  assert.equal(formatRate(42.4), "42 tok/s");
  assert.equal(formatRate(null), "–");
});

Deno.test("formatUptime() grows from seconds to days", () => {
  assert.equal(formatUptime(12), "12 s");
  assert.equal(formatUptime(600), "10 min");
  assert.equal(formatUptime(3 * 3600 + 120), "3 h 2 min");
  assert.equal(formatUptime(2 * 86_400 + 3600), "2 d 1 h");
});

Deno.test("formatBytes() uses decimal units", () => {
  assert.equal(formatBytes(512), "512 B");
  assert.equal(formatBytes(4_700_000_000), "4.7 GB");
  assert.equal(formatBytes(undefined), "");
});

Deno.test("formatAgo() says how long ago, then the date after a week", () => {
  const now = Date.parse("2025-03-10T12:00:00Z");
  assert.equal(formatAgo("2025-03-10T11:59:50Z", now), "just now");
  assert.equal(formatAgo("2025-03-10T11:30:00Z", now), "30 min ago");
  assert.equal(formatAgo("2025-03-10T07:00:00Z", now), "5 h ago");
  assert.equal(formatAgo("2025-03-08T12:00:00Z", now), "2 d ago");
  assert.equal(formatAgo("2025-01-01T00:00:00Z", now), "2025-01-01");
  assert.equal(formatAgo("garbage", now), "");
});
