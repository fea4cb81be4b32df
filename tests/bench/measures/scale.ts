/**
 * The scale run: N nodes (one per network namespace on one bridge) spawned at the same moment,
 * timed until the full mesh; their idle memory and CPU once linked; a message posted on one
 * until all have it; then a new node joining the mesh; and, in the same namespaces after the
 * nodes are gone, N bare Deno processes as the baseline. Every wait is bounded; the lab is
 * deleted by the caller (withLab).
 */
import { DENO, type Lab, type LabNode, type NodeStatus, waitFor } from "../../e2e/lab.ts";
import { sleep } from "../lab_tools.ts";
import { firstTimeSeeing, fullMeshAt, isFullMesh, linkedPairs, seesAll } from "../mesh_views.ts";
import { counterDelta, type NetCounters, readNamespaceCounters } from "../net_snmp.ts";
import { NodeEvents } from "../node_events.ts";
import { type ProcUsage, sampleUsage } from "../proc_usage.ts";
import { clockTicksPerSecond, readProcSample } from "../proc_stats.ts";

export interface ScaleLimits {
  /** Longest wait, from the spawn, for every node's API to answer (start-up on a busy core). */
  startTimeoutMs: number;
  /** Longest wait for the full mesh once every API answered. */
  meshTimeoutMs: number;
  settleSeconds: number;
  sampleSeconds: number;
  /** Messages posted one at a time on node 1 (the first also carries the new conversation). */
  probes: number;
}

export interface ScaleRun {
  nodes: number;
  /** Spawn of all N until each one's API answered (sorted, ms). */
  spawnToReadyMs: number[];
  /** Null when the mesh did not form within `meshTimeoutMs` of the last API (see `pairsLinked`). */
  spawnToFullMeshMs: number | null;
  /** Pairs linked both ways when the mesh formed or the wait for it ended. */
  pairsLinked: number;
  /** Per node during formation: UDP datagrams sent, TCP connections dialed, send errors. */
  formation: NetCounters[];
  /** Per node: CPU time (user + system) from its spawn until the mesh formed or the wait ended. */
  formationCpuSeconds: number[];
  /** Linked peers per node when idle usage was sampled. */
  peersAtSample: number[];
  idle: ProcUsage[];
  /** Per probe: post → every node (posting one included) has the message; empty without a mesh. */
  convergenceMs: number[];
  /** Null without a full mesh to join. */
  newcomer: NewcomerTiming | null;
  bare: ProcUsage[];
}

export interface NewcomerTiming {
  spawnToReadyMs: number;
  /** Until an earlier node first listed it (its announcement or its link arrived). */
  spawnToFirstSeenMs: number;
  /** Until every earlier node lists it `up` (their live events: exact). */
  spawnToEarlierUpMs: number;
  /** Until it also lists all of them `up` (its own stream opens at ready: an upper bound). */
  spawnToAllUpMs: number;
  /** Datagrams and dials of all N nodes from the newcomer's spawn until it was linked. */
  traffic: NetCounters;
}

const pidOf = (node: LabNode) => {
  if (!node.process) throw new Error(`${node.host.name} is not running`);
  return node.process.pid;
};

/**
 * Opens a node's event stream, trying again while the node is too busy to answer in time (a
 * node linking with 49 others on a shared core can be), until `deadline`.
 */
async function openEventsPatiently(node: LabNode, deadline: number): Promise<NodeEvents> {
  for (let attempt = 1;; attempt++) {
    try {
      return await NodeEvents.open(node.url);
    } catch (error) {
      if (performance.now() > deadline) {
        throw new Error(`${node.host.name}: event stream not open after ${attempt} tries`, {
          cause: error,
        });
      }
      await sleep(500);
    }
  }
}

/**
 * A node's status, asked again while the node is too busy to answer in time (its HTTP server
 * answers 408 to a request it could not read soon enough), for up to `patienceMs`.
 */
async function statusPatiently(node: LabNode, patienceMs = 60_000): Promise<NodeStatus> {
  const deadline = performance.now() + patienceMs;
  for (;;) {
    try {
      return await node.status();
    } catch (error) {
      if (performance.now() > deadline) throw error;
      await sleep(500);
    }
  }
}

/** Spawns every node at once; each opens its event stream as soon as its API answers. */
async function spawnTogether(nodes: readonly LabNode[], timeoutMs: number) {
  const spawnAt = performance.now();
  const started = await Promise.all(nodes.map(async (node) => {
    // Fifty starting on two cores take tens of seconds to answer; poll gently meanwhile.
    await node.start({ readyTimeoutMs: timeoutMs, readyPollMs: 250 });
    const readyMs = performance.now() - spawnAt;
    const events = await openEventsPatiently(node, performance.now() + 60_000);
    const id = (await statusPatiently(node)).node.id;
    return { id, readyMs, events };
  }));
  return { spawnAt, started };
}

async function countersOf(lab: Lab): Promise<NetCounters[]> {
  return await Promise.all(lab.hosts.map((h) => readNamespaceCounters(h.ns)));
}

async function post(node: LabNode, path: string, body: unknown): Promise<Response> {
  return await fetch(`${node.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
}

/** Posts `probes` messages on the first node; per probe, until all nodes have it. */
async function convergence(nodes: readonly LabNode[], probes: number): Promise<number[]> {
  const watchers = await Promise.all(nodes.map((n) => NodeEvents.open(n.url)));
  try {
    const created = await post(nodes[0], "/api/conversations", { title: "scale bench" });
    if (created.status !== 201) throw new Error(`create conversation: HTTP ${created.status}`);
    const { id } = await created.json() as { id: string };
    const nonce = crypto.randomUUID().slice(0, 8);
    const times: number[] = [];
    for (let i = 0; i < probes; i++) {
      const content = `scale probe ${i} ${nonce}`;
      const postedAt = performance.now();
      // No LLM in this lab: the answer ends in an error, after the question is stored.
      const asking = post(nodes[0], `/api/conversations/${id}/messages`, { content })
        .then((res) => res.text());
      await Promise.all(watchers.map((w) => w.waitMessage(content, 30_000)));
      await asking;
      times.push(Math.max(...watchers.map((w) => w.firstMessage(content)!)) - postedAt);
      await sleep(200);
    }
    return times;
  } finally {
    await Promise.all(watchers.map((w) => w.close()));
  }
}

/** Stops the last node, gives it a new identity, and times it joining the others again. */
async function newcomer(lab: Lab, earlierIds: string[]): Promise<NewcomerTiming> {
  const nodes = lab.hosts.map((h) => h.node);
  const last = nodes[nodes.length - 1];
  const earlier = nodes.slice(0, -1);
  const oldId = earlierIds.pop()!; // the last id belonged to the node leaving
  const watchers = await Promise.all(earlier.map((n) => NodeEvents.open(n.url)));
  let own: NodeEvents | undefined;
  try {
    await last.stop("SIGTERM"); // says OFFLINE: the others drop it at once
    await waitFor(
      "the others to drop the leaving node",
      () => watchers.every((w) => !seesAll(w.peers.at(-1)?.peers ?? [], [oldId], ["up"])),
      15_000,
      50,
    );
    await Deno.remove(last.dataDir, { recursive: true });
    await sleep(1000); // the mesh settles after the departure
    const before = await countersOf(lab);
    const spawnAt = performance.now();
    await last.start({ readyTimeoutMs: 120_000, readyPollMs: 10 });
    const readyAt = performance.now();
    own = await NodeEvents.open(last.url);
    const id = (await statusPatiently(last)).node.id;
    const events = own;
    const earlierSee = (states?: string[]) =>
      watchers.map((w) => firstTimeSeeing(w.peers, [id], states));
    await waitFor(
      `all ${nodes.length} nodes to list each other up`,
      () =>
        earlierSee(["up"]).every((t) => t !== null) &&
        firstTimeSeeing(events.peers, earlierIds, ["up"]) !== null,
      60_000,
      10,
    );
    const traffic = (await countersOf(lab)).map((after, k) => counterDelta(before[k], after))
      .reduce(sumCounters);
    const earlierUpAt = Math.max(...earlierSee(["up"]).map((t) => t!));
    const ownUpAt = firstTimeSeeing(events.peers, earlierIds, ["up"])!;
    return {
      spawnToReadyMs: readyAt - spawnAt,
      spawnToFirstSeenMs: Math.min(...earlierSee().map((t) => t!)) - spawnAt,
      spawnToEarlierUpMs: earlierUpAt - spawnAt,
      spawnToAllUpMs: Math.max(earlierUpAt, ownUpAt) - spawnAt,
      traffic,
    };
  } finally {
    await Promise.all([...watchers, ...(own ? [own] : [])].map((w) => w.close()));
  }
}

function sumCounters(a: NetCounters, b: NetCounters): NetCounters {
  return {
    udpOut: a.udpOut + b.udpOut,
    udpSndbufErrors: a.udpSndbufErrors + b.udpSndbufErrors,
    tcpActiveOpens: a.tcpActiveOpens + b.tcpActiveOpens,
    tcpAttemptFails: a.tcpAttemptFails + b.tcpAttemptFails,
  };
}

/** N bare Deno processes, one per namespace, started together and sampled like the nodes. */
async function bareDeno(lab: Lab, limits: ScaleLimits): Promise<ProcUsage[]> {
  const lifetimeMs = (limits.settleSeconds + limits.sampleSeconds + 60) * 1000;
  const children = lab.hosts.map((h) =>
    new Deno.Command("ip", {
      args: ["netns", "exec", h.ns, DENO, "eval", `setTimeout(() => {}, ${lifetimeMs})`],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn()
  );
  try {
    await sleep((limits.settleSeconds + 2) * 1000);
    return await sampleUsage(children.map((c) => c.pid), limits.sampleSeconds);
  } finally {
    for (const child of children) {
      try {
        child.kill("SIGKILL");
      } catch { /* gone */ }
    }
    await Promise.all(children.map((c) => c.status));
  }
}

/** Runs one phase of the run; a failure says which phase it was. */
async function phase<T>(name: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw new Error(`${name}: ${(error as Error).message}`, { cause: error });
  }
}

export async function runScale(lab: Lab, limits: ScaleLimits): Promise<ScaleRun> {
  const nodes = lab.hosts.map((h) => h.node);
  const before = await countersOf(lab);
  const { spawnAt, started } = await phase(
    "spawn",
    () => spawnTogether(nodes, limits.startTimeoutMs),
  );
  const ids = started.map((s) => s.id);
  let meshAt: number | null = null;
  let pairsLinked: number;
  try {
    const histories = started.map((s) => ({ id: s.id, tables: s.events.peers }));
    try {
      await waitFor(
        `full mesh of ${nodes.length}`,
        () => fullMeshAt(histories) !== null,
        limits.meshTimeoutMs,
        50,
      );
      meshAt = fullMeshAt(histories)!;
    } catch {
      // Reported as a figure (pairs linked by then), not a failure of the section.
    }
    pairsLinked = linkedPairs(histories);
  } finally {
    await Promise.all(started.map((s) => s.events.close()));
  }
  const formation = (await countersOf(lab)).map((after, k) => counterDelta(before[k], after));
  const ticks = await clockTicksPerSecond();
  const formationCpuSeconds = (await Promise.all(nodes.map((n) => readProcSample(pidOf(n)))))
    .map((sample) => sample.cpuTicks / ticks);
  // The live events said so; the status API must agree.
  if (meshAt !== null) {
    await phase("mesh check", async () => {
      if (!isFullMesh(await Promise.all(nodes.map((n) => statusPatiently(n))))) {
        throw new Error("the event streams showed a full mesh that /api/status does not");
      }
    });
  }

  await sleep(limits.settleSeconds * 1000); // nobody asks the nodes anything from here on
  const idle = await phase("idle", () => sampleUsage(nodes.map(pidOf), limits.sampleSeconds));
  const peersAtSample = (await Promise.all(nodes.map((n) => statusPatiently(n))))
    .map((s) => s.peers.filter((p) => p.state === "up").length);

  // Without a full mesh a message cannot reach everyone and a newcomer has no mesh to join.
  const convergenceMs = meshAt === null
    ? []
    : await phase("convergence", () => convergence(nodes, limits.probes));
  const joined = meshAt === null ? null : await phase("newcomer", () => newcomer(lab, [...ids]));
  await Promise.all(nodes.map((n) => n.stop("SIGKILL")));
  const bare = await phase("bare Deno baseline", () => bareDeno(lab, limits));
  return {
    nodes: nodes.length,
    spawnToReadyMs: started.map((s) => s.readyMs).sort((a, b) => a - b),
    spawnToFullMeshMs: meshAt === null ? null : meshAt - spawnAt,
    pairsLinked,
    formation,
    formationCpuSeconds,
    peersAtSample,
    idle,
    convergenceMs,
    newcomer: joined,
    bare,
  };
}
