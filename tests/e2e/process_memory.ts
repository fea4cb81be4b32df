/** A lab node's resident memory, read from /proc, once or sampled while something runs. */
import type { LabNode } from "./lab.ts";

export function rssMiB(node: LabNode): number {
  const pid = node.process?.pid;
  if (!pid) throw new Error(`${node.host.name} is not running`);
  const kb = Number(Deno.readTextFileSync(`/proc/${pid}/status`).match(/VmRSS:\s+(\d+)/)?.[1]);
  return kb / 1024;
}

/** Runs `fn` while sampling the node's RSS every 50 ms; returns its result and the peak. */
export async function withPeakRss<T>(
  node: LabNode,
  fn: () => Promise<T>,
): Promise<{ value: T; peak: number }> {
  let peak = rssMiB(node);
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, rssMiB(node));
    } catch { /* the node died: the assertions below say so */ }
  }, 50);
  try {
    return { value: await fn(), peak };
  } finally {
    clearInterval(timer);
  }
}
