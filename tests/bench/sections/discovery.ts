/**
 * 2. Discovery: N−1 namespaced nodes form a mesh; then the last one starts and the bench times
 * until all N list each other (discovered, then `up`). Times come from each node's live peer
 * events, stamped on arrival, so polling does not blur them.
 */
import { waitFor } from "../../e2e/lab.ts";
import { sleep, startNodes, waitFullMesh, withLab } from "../lab_tools.ts";
import { firstTimeSeeing, isFullMesh } from "../mesh_views.ts";
import { NodeEvents } from "../node_events.ts";
import type { Figure } from "../report.ts";
import type { Section } from "../section.ts";

export interface JoinTiming {
  nodes: number;
  /** How long the first N−1 took to form their mesh once all answered. */
  firstMeshMs: number;
  /** Process spawn until the last node's API answers (Deno start-up, not discovery). */
  spawnToReadyMs: number;
  /** Spawn until an earlier node first listed the last one (its first announcement or link). */
  spawnToFirstSeenMs: number;
  /** From first seen until every earlier node lists it, in any state. */
  firstSeenToEarlierDiscoveredMs: number;
  /** From first seen until every earlier node lists it as `up`. */
  firstSeenToEarlierUpMs: number;
  /**
   * From the last node answering until all N list each other as `up`. The last node's own table
   * is read from its event stream, opened right after it answers: an upper bound.
   */
  readyToAllUpMs: number;
  /** From first seen until all N list each other as `up` (same upper bound). */
  firstSeenToAllUpMs: number;
  spawnToAllUpMs: number;
}

async function measureJoin(count: number): Promise<JoinTiming> {
  return await withLab(count, async (lab) => {
    const nodes = lab.hosts.map((h) => h.node);
    const earlier = nodes.slice(0, -1);
    const last = nodes[count - 1];
    await startNodes(earlier);
    const firstMeshMs = await waitFullMesh(earlier, 60_000);
    await sleep(1000); // let announcements and link handshakes settle
    const earlierIds = (await Promise.all(earlier.map((n) => n.status()))).map((s) => s.node.id);
    const watchers = await Promise.all(earlier.map((n) => NodeEvents.open(n.url)));
    let lastEvents: NodeEvents | undefined;
    try {
      const spawnAt = performance.now();
      await last.start();
      const readyAt = performance.now();
      lastEvents = await NodeEvents.open(last.url);
      const lastId = (await last.status()).node.id;
      const events = lastEvents;
      const times = (states?: string[]) => [
        ...watchers.map((w) => firstTimeSeeing(w.peers, [lastId], states)),
        firstTimeSeeing(events.peers, earlierIds, states),
      ];
      await waitFor(
        `all ${count} nodes to list each other as up`,
        () => times(["up"]).every((t) => t !== null),
        15_000,
        10,
      );
      // The live events said so; the status API must agree.
      if (!isFullMesh(await Promise.all(nodes.map((n) => n.status())))) {
        await waitFullMesh(nodes, 5_000);
      }
      const latest = (values: (number | null)[]) => Math.max(...values.map((t) => t!));
      const earlierTimes = (states?: string[]) =>
        watchers.map((w) => firstTimeSeeing(w.peers, [lastId], states));
      const firstSeenAt = Math.min(...earlierTimes().map((t) => t!));
      const allUpAt = latest(times(["up"]));
      return {
        nodes: count,
        firstMeshMs,
        spawnToReadyMs: readyAt - spawnAt,
        spawnToFirstSeenMs: firstSeenAt - spawnAt,
        firstSeenToEarlierDiscoveredMs: latest(earlierTimes()) - firstSeenAt,
        firstSeenToEarlierUpMs: latest(earlierTimes(["up"])) - firstSeenAt,
        readyToAllUpMs: Math.max(0, allUpAt - readyAt),
        firstSeenToAllUpMs: allUpAt - firstSeenAt,
        spawnToAllUpMs: allUpAt - spawnAt,
      };
    } finally {
      await Promise.all([...watchers, ...(lastEvents ? [lastEvents] : [])].map((w) => w.close()));
    }
  });
}

function figures(t: JoinTiming): Figure[] {
  const n = t.nodes;
  const second = { op: "<" as const, value: 1000 };
  const row = (label: string, value: number, goal?: typeof second): Figure => ({
    label: `N=${n}: ${label}`,
    value,
    unit: "ms",
    ...(goal ? { goal } : {}),
  });
  return [
    row(`last node ready → all ${n} up`, t.readyToAllUpMs, second),
    row(`first seen → all ${n} up`, t.firstSeenToAllUpMs, second),
    row(`first seen → ${n - 1} earlier list it (discovered)`, t.firstSeenToEarlierDiscoveredMs),
    row(`first seen → ${n - 1} earlier list it up`, t.firstSeenToEarlierUpMs),
    row("process spawn → API ready", t.spawnToReadyMs),
    row("process spawn → first seen by a peer", t.spawnToFirstSeenMs),
    row("process spawn → all up", t.spawnToAllUpMs),
    row(`first ${n - 1} nodes: mesh after all ready`, t.firstMeshMs),
  ];
}

export const discoverySection: Section = {
  id: "discovery",
  number: "2",
  title: "Discovery: the last node joins a mesh of N−1 (network namespaces)",
  needsNetns: true,
  async run({ quick }) {
    const sizes = quick ? [5] : [5, 20];
    const timings: JoinTiming[] = [];
    for (const size of sizes) timings.push(await measureJoin(size));
    return {
      figures: timings.flatMap(figures),
      notes: [
        "one join per N; each node in its own namespace on one bridge, default ports, no peer " +
        "configuration; times from each node's /api/events peer tables, confirmed by /api/status",
        '"ready": the node\'s API first answers (polled every 50 ms); "first seen": an earlier ' +
        "node first lists the new one (its announcement or link arrived)",
        "the new node's own table is read from its event stream, opened right after ready, so " +
        '"all up" times are upper bounds; 0 means all was up before it answered',
        ...(quick ? ["quick run: N=5 only (the full run adds N=20)"] : []),
      ],
      details: timings,
    };
  },
};
