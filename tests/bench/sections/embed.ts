/**
 * Embeddings through the mesh vs direct (issue 12). The same lab as the llm section: a client
 * node (no Ollama) and an LLM host node with the Ollama test double, in two namespaces; the
 * client links to the host as a static peer. Mesh: `/api/embed` on the client node. Direct: the
 * same double reached from the client's namespace through a plain byte pipe (unix_bridge.ts).
 * Single inputs alternate between the two paths; then batches of 1,000 inputs. Beside each
 * batch's wall time, the CPU time it cost every process on its path (from /proc): on a machine
 * busy with other work the wall times swing widely, the CPU a path needs does not.
 */
import type { Lab } from "../../e2e/lab.ts";
import { startClientAndHost, withLab } from "../lab_tools.ts";
import { type LatencySummary, summarize } from "../measures/llm.ts";
import { clockTicksPerSecond, readProcSample } from "../proc_stats.ts";
import type { Figure } from "../report.ts";
import type { Section } from "../section.ts";

const MODEL = "nomic-embed-text:latest";
const BATCH = 1_000;

export interface EmbedPhases {
  single: { mesh: LatencySummary; direct: LatencySummary; requests: number };
  batch: {
    /** Inputs per second, median of the runs. */
    mesh: number;
    direct: number;
    runs: number;
    meshMs: number[];
    directMs: number[];
    /** CPU ms per batch, median: client node + host node + double + this process, … */
    meshCpuMs: number;
    /** … and double + byte pipe + this process. */
    directCpuMs: number;
  };
}

/** The processes each path runs through (pids), besides this one. */
interface PathPids {
  mesh: number[];
  direct: number[];
}

/** CPU ms that `pids` (and this process) spend while `run` runs. */
async function cpuMsOf(pids: number[], run: () => Promise<unknown>): Promise<number> {
  const all = [Deno.pid, ...pids];
  const ticks = async () =>
    (await Promise.all(all.map(readProcSample))).reduce((sum, s) => sum + s.cpuTicks, 0);
  const before = await ticks();
  await run();
  return ((await ticks()) - before) * 1000 / await clockTicksPerSecond();
}

/** One `/api/embed` call; resolves to its duration in ms, throws unless every vector came back. */
async function embed(url: string, input: string[], timeoutMs: number): Promise<number> {
  const started = performance.now();
  const res = await fetch(`${url}/api/embed`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: MODEL, input }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const body = await res.json() as { embeddings?: number[][]; error?: string };
  if (!res.ok || body.embeddings?.length !== input.length) {
    throw new Error(`${url}: HTTP ${res.status} ${body.error ?? "wrong count"}`);
  }
  return performance.now() - started;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];

async function measure(
  meshUrl: string,
  directUrl: string,
  pids: PathPids,
  quick: boolean,
): Promise<EmbedPhases> {
  const requests = quick ? 50 : 300;
  const runs = quick ? 3 : 7;
  const one = (i: number) => [`single input number ${i}`];
  for (let i = 0; i < 5; i++) { // warm-up: connections, model list, JIT
    await embed(meshUrl, one(i), 10_000);
    await embed(directUrl, one(i), 10_000);
  }
  const mesh: number[] = [];
  const direct: number[] = [];
  for (let i = 0; i < requests; i++) {
    mesh.push(await embed(meshUrl, one(i), 10_000));
    direct.push(await embed(directUrl, one(i), 10_000));
  }
  const inputs = Array.from(
    { length: BATCH },
    (_, i) => `document ${i}: a paragraph of text about the mesh, to be embedded`,
  );
  const meshMs: number[] = [];
  const directMs: number[] = [];
  const meshCpu: number[] = [];
  const directCpu: number[] = [];
  await embed(meshUrl, inputs, 60_000);
  await embed(directUrl, inputs, 60_000);
  for (let r = 0; r < runs; r++) {
    meshCpu.push(
      await cpuMsOf(pids.mesh, async () => meshMs.push(await embed(meshUrl, inputs, 60_000))),
    );
    directCpu.push(
      await cpuMsOf(pids.direct, async () => directMs.push(await embed(directUrl, inputs, 60_000))),
    );
  }
  return {
    single: { mesh: summarize(mesh), direct: summarize(direct), requests },
    batch: {
      mesh: BATCH / (median(meshMs) / 1000),
      direct: BATCH / (median(directMs) / 1000),
      runs,
      meshMs: meshMs.map(Math.round),
      directMs: directMs.map(Math.round),
      meshCpuMs: median(meshCpu),
      directCpuMs: median(directCpu),
    },
  };
}

export async function runEmbedPhases(lab: Lab, quick: boolean): Promise<EmbedPhases> {
  const { client, host, double, bridge, direct } = await startClientAndHost(lab, MODEL);
  try {
    const meshUrl = client.node.url;
    const pids = {
      mesh: [client.node.process!.pid, host.node.process!.pid, double.pid],
      direct: [double.pid, bridge.pid],
    };
    return await measure(meshUrl, direct.url, pids, quick);
  } finally {
    direct.close();
  }
}

function figures(p: EmbedPhases): Figure[] {
  const { single, batch } = p;
  return [
    {
      label: "one input: p50 via mesh",
      value: single.mesh.p50,
      unit: "ms",
      baseline: { label: "direct p50", value: single.direct.p50 },
    },
    {
      label: "one input: p99 via mesh",
      value: single.mesh.p99,
      unit: "ms",
      baseline: { label: "direct p99", value: single.direct.p99 },
    },
    {
      label: "one input: added p50 (mesh − direct)",
      value: single.mesh.p50 - single.direct.p50,
      unit: "ms",
    },
    {
      label: "one input: added p99 (mesh − direct)",
      value: single.mesh.p99 - single.direct.p99,
      unit: "ms",
    },
    {
      label: `batch of ${BATCH.toLocaleString("en-US")}: throughput via mesh`,
      value: batch.mesh,
      unit: "inputs/s",
      digits: 0,
      goal: { op: ">=", value: Math.round(0.8 * batch.direct) },
      baseline: { label: "direct", value: batch.direct },
    },
    {
      label: `batch of ${BATCH.toLocaleString("en-US")}: CPU of every process on the path`,
      value: batch.meshCpuMs,
      unit: "ms",
      digits: 0,
      baseline: { label: "direct", value: batch.directCpuMs },
    },
  ];
}

export const embedSection: Section = {
  id: "embed",
  number: "4b",
  title: "Embeddings through the mesh vs direct (network namespaces, Ollama test double)",
  needsNetns: true,
  async run({ quick }) {
    const phases = await withLab(2, (lab) => runEmbedPhases(lab, quick));
    return {
      figures: figures(phases),
      notes: [
        `${phases.single.requests} single-input /api/embed calls per path, alternating, after 5 ` +
        `warm-up; ${phases.batch.runs} batches of ${BATCH} inputs per path (768-dim vectors), ` +
        `throughput from the median batch time; the goal is 0.8 × direct, measured in this run; ` +
        `CPU: median per batch of the client node, host node, double and bench (mesh) against ` +
        `the double, byte pipe and bench (direct)`,
        `batch ms via mesh ${phases.batch.meshMs.join(", ")}; direct ${
          phases.batch.directMs.join(", ")
        }`,
      ],
      details: phases,
    };
  },
};
