/**
 * Resident memory and CPU of running processes, sampled from /proc once a second: what the
 * idle-cost sections report for nodes and for the bare Deno baseline.
 */
import { sleep } from "./lab_tools.ts";
import { clockTicksPerSecond, cpuPercent, type ProcSample, readProcSample } from "./proc_stats.ts";

const MB = 1_000_000;

export interface ProcUsage {
  maxRssMB: number;
  meanRssMB: number;
  /** Private part of the RSS (the rest is mostly the Deno binary, shared between processes). */
  maxAnonMB: number;
  cpuPercent: number;
}

/** Samples the pids every second for `seconds`; bounded by the count of samples. */
export async function sampleUsage(pids: number[], seconds: number): Promise<ProcUsage[]> {
  const ticks = await clockTicksPerSecond();
  const samples: ProcSample[][] = pids.map(() => []);
  for (let i = 0; i <= seconds; i++) {
    if (i > 0) await sleep(1000);
    const now = await Promise.all(pids.map(readProcSample));
    now.forEach((sample, k) => samples[k].push(sample));
  }
  return samples.map((list) => {
    const rss = list.map((s) => s.rssBytes / MB);
    return {
      maxRssMB: Math.max(...rss),
      meanRssMB: rss.reduce((a, b) => a + b, 0) / rss.length,
      maxAnonMB: Math.max(...list.map((s) => s.anonBytes / MB)),
      cpuPercent: cpuPercent(list[0], list[list.length - 1], ticks),
    };
  });
}
