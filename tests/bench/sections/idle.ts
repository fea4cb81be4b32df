/**
 * 3. Idle cost: resident memory and CPU of one node with 4 peers, sampled from /proc once the
 * mesh has settled. Baseline: a bare Deno process that only waits, sampled the same way.
 */
import { DENO, type LabNode } from "../../e2e/lab.ts";
import { sleep, startNodes, waitFullMesh, withLab } from "../lab_tools.ts";
import { type ProcUsage, sampleUsage } from "../proc_usage.ts";
import type { Figure, Goal } from "../report.ts";
import type { Section } from "../section.ts";

/** A Deno process that only waits (its timer ends it at the latest): the runtime's own cost. */
async function bareDenoUsage(seconds: number): Promise<ProcUsage> {
  const child = new Deno.Command(DENO, {
    args: ["eval", `setTimeout(() => {}, ${(seconds + 30) * 1000})`],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  try {
    await sleep(1000);
    return (await sampleUsage([child.pid], seconds))[0];
  } finally {
    child.kill("SIGKILL");
    await child.status;
  }
}

function pidOf(node: LabNode): number {
  if (!node.process) throw new Error(`${node.host.name} is not running`);
  return node.process.pid;
}

export const idleSection: Section = {
  id: "idle",
  number: "3",
  title: "Idle cost of one node with 4 peers (network namespaces)",
  needsNetns: true,
  async run({ quick }) {
    const settleSeconds = quick ? 2 : 5;
    const seconds = quick ? 3 : 10;
    const usage = await withLab(5, async (lab) => {
      const nodes = lab.hosts.map((h) => h.node);
      await startNodes(nodes);
      await waitFullMesh(nodes, 30_000);
      await sleep(settleSeconds * 1000); // no polling from here on: the nodes sit idle
      return await sampleUsage(nodes.map(pidOf), seconds);
    });
    const bare = await bareDenoUsage(seconds);
    const measured = usage[0];
    const figure = (label: string, key: keyof ProcUsage, unit: string, goal?: Goal): Figure => ({
      label,
      value: measured[key],
      unit,
      ...(goal ? { goal } : {}),
      baseline: { label: "bare Deno", value: bare[key] },
    });
    const highest = (key: keyof ProcUsage) => Math.max(...usage.map((u) => u[key]));
    return {
      figures: [
        figure("node 1 with 4 peers: RSS (max over samples)", "maxRssMB", "MB", {
          op: "<",
          value: 60,
        }),
        figure("node 1 with 4 peers: private RSS (RssAnon, max)", "maxAnonMB", "MB"),
        figure("node 1 with 4 peers: CPU (share of one core)", "cpuPercent", "%", {
          op: "<",
          value: 1,
        }),
        { label: "all 5 nodes: highest RSS", value: highest("maxRssMB"), unit: "MB" },
        { label: "all 5 nodes: highest CPU", value: highest("cpuPercent"), unit: "%" },
      ],
      notes: [
        `5 nodes meshed, then ${settleSeconds} s to settle and ${seconds} s of samples from ` +
        `/proc/<pid>/status (VmRSS) and /proc/<pid>/stat (utime+stime); MB = 10^6 bytes; ` +
        `baseline: \`deno eval\` of a single timer`,
      ],
      details: { nodes: usage, bareDeno: bare, settleSeconds, sampleSeconds: seconds },
    };
  },
};
