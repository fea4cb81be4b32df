/**
 * 4. LLM through the mesh vs direct (issue 3). A client node (no Ollama) in one namespace and
 * an LLM host node with the Ollama test double in another. Mesh: the client node's API. Direct:
 * the same double reached from the client's namespace through a plain byte pipe
 * (unix_bridge.ts) — as a program on the client machine would talk to the host's Ollama.
 * Both paths start with the same unix-socket forwarder from the bench process.
 */
import { benchLlm, type LlmBenchResult } from "../measures/llm.ts";
import type { Lab } from "../../e2e/lab.ts";
import { type Forwarder, forwardTcpToUnix } from "../../support/unix_forward.ts";
import { HOST_ARGS, startClientAndHost, withLab } from "../lab_tools.ts";
import type { Figure } from "../report.ts";
import type { Section } from "../section.ts";

const MODEL = "tinyllama:1.1b";

export interface Phases {
  latency: LlmBenchResult;
  /** The same chats through the host node's own API (its HTTP layer, no peer link). */
  hostNode: LlmBenchResult;
  longStream: LlmBenchResult;
  concurrent: LlmBenchResult;
  settings: { requests: number; longStreamTokens: number; concurrentStreams: number };
}

async function setDouble(control: Forwarder, settings: Record<string, number>): Promise<void> {
  const res = await fetch(`${control.url}/__double/settings`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(settings),
  });
  const text = await res.text();
  if (!res.ok) {
    throw new Error(`double settings ${JSON.stringify(settings)}: HTTP ${res.status} ${text}`);
  }
}

/** Runs the LLM phases; `nodeArgs` go to both nodes (the encryption section compares links). */
export async function runPhases(
  lab: Lab,
  quick: boolean,
  nodeArgs: string[] = [],
): Promise<Phases> {
  const controlPath = `${lab.dir}/double-control.sock`;
  const { client, host, direct } = await startClientAndHost(lab, MODEL, {
    doubleArgs: ["--control-socket", controlPath],
    nodeArgs,
  });
  const control = forwardTcpToUnix(controlPath);
  try {
    const meshUrl = client.node.url;
    const bench = (
      options: { requests: number; concurrency?: number; longStreamTokens: number },
      viaUrl = meshUrl,
    ) =>
      benchLlm({
        meshUrl: viaUrl,
        directUrl: direct.url,
        model: MODEL,
        timeoutMs: 60_000,
        ...options,
      });

    const requests = quick ? 30 : 200;
    const longStreamTokens = quick ? 5_000 : 20_000;
    const concurrentStreams = 50;
    await setDouble(control, { tokens: 20, tokenLatencyMs: 0, firstTokenLatencyMs: 0 });
    await bench({ requests: 5, longStreamTokens: 20 }); // warm-up: connections, host measured
    const latency = await bench({ requests, longStreamTokens: 20 });
    const hostNode = await bench({ requests, longStreamTokens: 20 }, host.node.url);
    await setDouble(control, { tokens: longStreamTokens });
    const longStream = await bench({ requests: 1, longStreamTokens });
    // 100 tokens 5 ms apart: each stream lasts about 0.5 s, so all 50 are open at once.
    await setDouble(control, { tokens: 100, tokenLatencyMs: 5 });
    const concurrent = await bench({
      requests: concurrentStreams,
      concurrency: concurrentStreams,
      longStreamTokens: 100,
    });
    return {
      latency,
      hostNode,
      longStream,
      concurrent,
      settings: { requests, longStreamTokens, concurrentStreams },
    };
  } finally {
    direct.close();
    control.close();
  }
}

function errorNotes(phase: string, result: LlmBenchResult): string[] {
  return (["mesh", "direct"] as const).flatMap((target) =>
    result[target].errors > 0
      ? [
        `${phase}, ${target}: ${result[target].errors} errors, first: ${result[target].firstError}`,
      ]
      : []
  );
}

function figures(p: Phases): Figure[] {
  const { latency, longStream, concurrent } = p;
  const direct = (label: string, value: number) => ({ label: `direct ${label}`.trim(), value });
  const n = p.settings.concurrentStreams;
  return [
    {
      label: "TTFT p50 via mesh",
      value: latency.mesh.ttftMs.p50,
      unit: "ms",
      baseline: direct("p50", latency.direct.ttftMs.p50),
    },
    {
      label: "TTFT p99 via mesh",
      value: latency.mesh.ttftMs.p99,
      unit: "ms",
      baseline: direct("p99", latency.direct.ttftMs.p99),
    },
    {
      label: "added TTFT p50 (mesh − direct)",
      value: latency.mesh.ttftMs.p50 - latency.direct.ttftMs.p50,
      unit: "ms",
      goal: { op: "<", value: 1 },
    },
    {
      label: "added TTFT p99 (mesh − direct)",
      value: latency.mesh.ttftMs.p99 - latency.direct.ttftMs.p99,
      unit: "ms",
      goal: { op: "<", value: 10 },
    },
    {
      label: "TTFT p50 via the host node's own API",
      value: p.hostNode.mesh.ttftMs.p50,
      unit: "ms",
      baseline: direct("p50", p.hostNode.direct.ttftMs.p50),
    },
    {
      label: "total p50 via mesh (20 tokens)",
      value: latency.mesh.totalMs.p50,
      unit: "ms",
      baseline: direct("p50", latency.direct.totalMs.p50),
    },
    {
      label: "total p99 via mesh (20 tokens)",
      value: latency.mesh.totalMs.p99,
      unit: "ms",
      baseline: direct("p99", latency.direct.totalMs.p99),
    },
    {
      label: `pass-through, one ${
        p.settings.longStreamTokens.toLocaleString("en-US")
      }-token stream`,
      value: longStream.mesh.tokensPerSecond,
      unit: "tokens/s",
      goal: { op: ">=", value: 20_000 },
      baseline: direct("", longStream.direct.tokensPerSecond),
    },
    {
      label: `${n} concurrent streams via mesh: failed`,
      value: concurrent.mesh.errors,
      unit: "",
      digits: 0,
      goal: { op: "<", value: 1 },
      baseline: direct("failed", concurrent.direct.errors),
    },
    {
      label: `${n} concurrent: TTFT p99 via mesh`,
      value: concurrent.mesh.ttftMs.p99,
      unit: "ms",
      baseline: direct("p99", concurrent.direct.ttftMs.p99),
    },
    {
      label: `${n} concurrent: total p99 via mesh`,
      value: concurrent.mesh.totalMs.p99,
      unit: "ms",
      baseline: direct("p99", concurrent.direct.totalMs.p99),
    },
  ];
}

export const llmSection: Section = {
  id: "llm",
  number: "4",
  title: "LLM through the mesh vs direct (network namespaces, Ollama test double)",
  needsNetns: true,
  async run({ quick }) {
    const phases = await withLab(2, (lab) => runPhases(lab, quick));
    return {
      figures: figures(phases),
      notes: [
        `${phases.settings.requests} sequential chats of 20 tokens per path (after 5 warm-up), ` +
        `token latency 0; long stream with token latency 0; ${phases.settings.concurrentStreams} ` +
        `concurrent chats of 100 tokens 5 ms apart`,
        `host node runs with ${HOST_ARGS.join(" ")} so that admission limits do not shape ` +
        `the figures; the client links to it as a static peer (--no-discovery --peer)`,
        'added TTFT p99 is the difference of the two p99s; "host node\'s own API" sends the ' +
        "same chats to the LLM host's API (its HTTP layer and local engine, no peer link): " +
        "what one node adds, against what the link and the second node add",
        ...errorNotes("latency", phases.latency),
        ...errorNotes("host node's own API", phases.hostNode),
        ...errorNotes("long stream", phases.longStream),
        ...errorNotes("concurrent", phases.concurrent),
      ],
      details: phases,
    };
  },
};
