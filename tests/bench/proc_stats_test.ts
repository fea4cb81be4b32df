import assert from "node:assert/strict";
import { cpuPercent, parseCpuTicks, parseStatusBytes, readProcSample } from "./proc_stats.ts";

Deno.test("parseStatusBytes() reads a kB line in bytes", () => {
  const status = "Name:\tdeno\nVmRSS:\t   51200 kB\nRssAnon:\t  20480 kB\nThreads:\t9\n";
  assert.equal(parseStatusBytes(status, "VmRSS"), 51200 * 1024);
  assert.equal(parseStatusBytes(status, "RssAnon"), 20480 * 1024);
  assert.throws(() => parseStatusBytes("Name:\tdeno\n", "VmRSS"), /no "VmRSS: N kB" line/);
});

Deno.test("parseCpuTicks() adds utime and stime even when the name holds spaces and parens", () => {
  const stat = "1234 (we ird) name) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 37 0 0 20 0 9 0";
  assert.equal(parseCpuTicks(stat), 287);
});

Deno.test("cpuPercent() is ticks over elapsed time as a share of one core", () => {
  const first = { atMs: 0, rssBytes: 0, anonBytes: 0, cpuTicks: 100 };
  const last = { atMs: 10_000, rssBytes: 0, anonBytes: 0, cpuTicks: 110 };
  assert.equal(cpuPercent(first, last, 100), 1);
  assert.throws(() => cpuPercent(first, first, 100), /samples must be apart in time/);
});

Deno.test("readProcSample() reads this process", async () => {
  const sample = await readProcSample(Deno.pid);
  assert.ok(sample.rssBytes > 1024 * 1024);
  assert.ok(sample.anonBytes > 0 && sample.anonBytes < sample.rssBytes);
  assert.ok(sample.cpuTicks >= 0);
});
