/**
 * 7. Scale: fifty nodes (or `--nodes=N`) started together on this machine, each in its own
 * network namespace on one bridge — a LAN of N devices on one kernel. Times the full mesh from
 * the spawn, samples idle memory and CPU at N−1 peers, times a message reaching every node and
 * a newcomer joining; baseline: N bare Deno processes in the same namespaces.
 */
import { percentile } from "../measures/llm.ts";
import { runScale, type ScaleLimits, type ScaleRun } from "../measures/scale.ts";
import { withLab } from "../lab_tools.ts";
import { describeRoom, withNeighbourRoom } from "../neighbour_table.ts";
import type { ProcUsage } from "../proc_usage.ts";
import type { Figure, Goal } from "../report.ts";
import type { Section } from "../section.ts";

export const DEFAULT_SCALE_NODES = 50;

/** A count of things: no unit, no decimals. */
const count = (label: string, value: number): Figure => ({ label, value, unit: "", digits: 0 });
const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
const median = (values: number[]) => percentile(sorted(values), 50);

function spread(
  label: string,
  values: number[],
  unit: string,
  baseline: number[],
  goal?: Goal,
): Figure[] {
  const s = sorted(values);
  const base = { label: "bare Deno", value: median(baseline) };
  return [
    {
      label: `${label}, median`,
      value: median(s),
      unit,
      baseline: base,
      ...(goal ? { goal } : {}),
    },
    { label: `${label}, min`, value: s[0], unit },
    {
      label: `${label}, max`,
      value: s[s.length - 1],
      unit,
      baseline: {
        label: "bare Deno",
        value: Math.max(...baseline),
      },
    },
  ];
}

function figures(run: ScaleRun): Figure[] {
  const n = run.nodes;
  const usage = (key: keyof ProcUsage, list: ProcUsage[]) => list.map((u) => u[key]);
  const sum = (key: keyof ScaleRun["formation"][number]) =>
    run.formation.reduce((total, c) => total + c[key], 0);
  const later = run.convergenceMs.slice(1);
  const mesh = run.spawnToFullMeshMs;
  const joined = run.newcomer;
  return [
    {
      label: `${n} started together: spawn → full mesh`,
      value: mesh === null ? null : mesh / 1000,
      unit: "s",
      goal: { op: "<", value: 30 },
    },
    { label: "spawn → all APIs answer", value: run.spawnToReadyMs.at(-1)! / 1000, unit: "s" },
    {
      label: "spawn → first API answers",
      value: run.spawnToReadyMs[0] / 1000,
      unit: "s",
    },
    {
      label: "all APIs answer → full mesh",
      value: mesh === null ? null : (mesh - run.spawnToReadyMs.at(-1)!) / 1000,
      unit: "s",
    },
    count("pairs linked both ways (at the full mesh, or when the wait ended)", run.pairsLinked),
    {
      label: "formation: CPU per node, spawn → full mesh, median",
      value: median(run.formationCpuSeconds),
      unit: "s",
    },
    {
      label: "formation: CPU of all nodes together",
      value: run.formationCpuSeconds.reduce((a, b) => a + b, 0),
      unit: "s",
    },
    count("formation: TCP connections dialed, all nodes", sum("tcpActiveOpens")),
    count("formation: … needed (one per pair)", (n * (n - 1)) / 2),
    count("formation: failed dials, all nodes", sum("tcpAttemptFails")),
    count("formation: UDP datagrams sent, all nodes", sum("udpOut")),
    count("formation: UDP send-buffer errors", sum("udpSndbufErrors")),
    {
      label: `newcomer in a mesh of ${n}: spawn → linked with all ${n - 1}`,
      value: joined?.spawnToAllUpMs ?? null,
      unit: "ms",
      goal: { op: "<", value: 1000 },
    },
    { label: "newcomer: spawn → API answers", value: joined?.spawnToReadyMs ?? null, unit: "ms" },
    {
      label: "newcomer: spawn → first seen by a peer",
      value: joined?.spawnToFirstSeenMs ?? null,
      unit: "ms",
    },
    {
      label: `newcomer: spawn → all ${n - 1} list it up`,
      value: joined?.spawnToEarlierUpMs ?? null,
      unit: "ms",
    },
    ...(joined
      ? [
        count("newcomer: UDP datagrams sent by all nodes while it joined", joined.traffic.udpOut),
        count("newcomer: TCP connections dialed while it joined", joined.traffic.tcpActiveOpens),
      ]
      : []),
    ...spread(
      `idle RSS per node at ${n - 1} peers`,
      usage("maxRssMB", run.idle),
      "MB",
      usage("maxRssMB", run.bare),
      { op: "<", value: 75 },
    ),
    ...spread(
      "idle private RSS (RssAnon) per node",
      usage("maxAnonMB", run.idle),
      "MB",
      usage("maxAnonMB", run.bare),
    ),
    ...spread(
      `idle CPU per node at ${n - 1} peers (share of one core)`,
      usage("cpuPercent", run.idle),
      "%",
      usage("cpuPercent", run.bare),
      { op: "<", value: 0.3 },
    ),
    count("peers up per node while sampled, min", Math.min(...run.peersAtSample)),
    {
      label: `convergence: new conversation + message → on all ${n}`,
      value: run.convergenceMs[0] ?? null,
      unit: "ms",
    },
    ...(later.length > 0
      ? [
        {
          label: `convergence: next messages → on all ${n}, median`,
          value: median(later),
          unit: "ms",
        },
        {
          label: `convergence: next messages → on all ${n}, max`,
          value: Math.max(...later),
          unit: "ms",
        },
      ]
      : []),
  ];
}

export const scaleSection: Section = {
  id: "scale",
  number: "7",
  title: "Scale: N nodes started together, each in its own namespace (default 50)",
  needsNetns: true,
  async run({ quick, nodes }) {
    const size = nodes ?? (quick ? 20 : DEFAULT_SCALE_NODES);
    const limits: ScaleLimits = {
      startTimeoutMs: 600_000,
      meshTimeoutMs: 180_000,
      settleSeconds: quick ? 3 : 5,
      sampleSeconds: quick ? 5 : 10,
      probes: quick ? 3 : 5,
    };
    let room = "";
    const run = await withNeighbourRoom(async (raised) => {
      room = describeRoom(raised);
      console.log(`scale: ${room}`);
      return await withLab(size, (lab) => runScale(lab, limits));
    });
    console.log("scale: neighbour thresholds restored");
    return {
      figures: figures(run),
      notes: [
        room,
        `${size} nodes spawned at the same moment on ${navigator.hardwareConcurrency} cores, ` +
        "default ports, no peer configuration; the mesh time is from the spawn until every " +
        "node's /api/events peer table lists all others up (confirmed by /api/status)",
        `then ${limits.settleSeconds} s untouched and ${limits.sampleSeconds} s of /proc ` +
        "samples per node (RSS max; CPU utime+stime); baseline: one bare `deno eval` timer per " +
        "namespace, all started together after the nodes stopped, sampled the same way",
        `convergence: ${limits.probes} messages posted one at a time on node 1, until each ` +
        "node's message event arrived (the first also brings the conversation)",
        "newcomer: the last node stops (OFFLINE), loses its data (a new identity) and starts " +
        "again; its own table is read from its event stream opened at ready: an upper bound",
        "formation counters: /proc/net/snmp of each namespace from before the spawn until the mesh",
        ...(run.spawnToFullMeshMs === null
          ? [
            `the full mesh did not form within ${limits.meshTimeoutMs / 1000} s of the last API ` +
            `(${run.pairsLinked} of ${(size * (size - 1)) / 2} pairs linked then): idle figures ` +
            "are of that partial mesh; convergence and the newcomer were not run (n/a)",
          ]
          : []),
        ...(quick && nodes === undefined ? ["quick run: 20 nodes (the full run has 50)"] : []),
      ],
      details: run,
    };
  },
};
