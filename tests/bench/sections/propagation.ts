/**
 * 5c. Propagation: a message posted on one node, timed until each of 10 peers has it. Each
 * receiver's `/api/events` stream is read, and the moment its `message` event arrives counts.
 */
import { summarize } from "../measures/llm.ts";
import type { LabNode } from "../../e2e/lab.ts";
import { sleep, startNodes, waitFullMesh, withLab } from "../lab_tools.ts";
import { NodeEvents } from "../node_events.ts";
import type { Section } from "../section.ts";

const RECEIVERS = 10;
/** Pause between probes: each message is posted to nodes that have gone idle, as in real use. */
const PAUSE_MS = 100;

interface PropagationResult {
  messages: number;
  /** Per message: ms from posting until the slowest of the 10 peers had it. */
  allPeersMs: ReturnType<typeof summarize>;
  /** Per message and peer: ms from posting until that peer had it. */
  perPeerMs: ReturnType<typeof summarize>;
  /** Per message: ms from posting until the posting node's own event (HTTP, commit, fsync). */
  originMs: ReturnType<typeof summarize>;
  /** Per message: slowest peer minus the posting node's own event: what the mesh adds. */
  meshAddedMs: ReturnType<typeof summarize>;
  /** GET /api/status on the posting node after the same pause: this machine's wake-up cost. */
  idleStatusMs: ReturnType<typeof summarize>;
}

/** Posts a question and reads the answer stream to its end (no LLM here: it ends in an error). */
async function ask(node: LabNode, conversationId: string, content: string): Promise<void> {
  const res = await fetch(`${node.url}/api/conversations/${conversationId}/messages`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ content }),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`asking on ${node.host.name}: HTTP ${res.status} ${text}`);
}

async function measure(
  origin: LabNode,
  originEvents: NodeEvents,
  receivers: NodeEvents[],
  count: number,
) {
  const created = await fetch(`${origin.url}/api/conversations`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ title: "propagation bench" }),
  });
  if (created.status !== 201) throw new Error(`create conversation: HTTP ${created.status}`);
  const { id } = await created.json() as { id: string };
  const nonce = crypto.randomUUID().slice(0, 8);
  const allPeers: number[] = [];
  const perPeer: number[] = [];
  const local: number[] = [];
  const added: number[] = [];
  // The first message is a warm-up (the conversation reaches the peers with it).
  for (let i = -1; i < count; i++) {
    const content = `propagation probe ${i} ${nonce}`;
    // A 1 ms timer keeps this process awake while a probe is in flight: event arrival times
    // are taken here, and this VM's wake-up from idle would otherwise count as propagation.
    const awake = setInterval(() => {}, 1);
    const postedAt = performance.now();
    const asking = ask(origin, id, content);
    try {
      await Promise.all([originEvents, ...receivers].map((r) => r.waitMessage(content, 5_000)));
      await asking;
    } finally {
      clearInterval(awake);
    }
    await sleep(PAUSE_MS); // the answer's own records settle; the nodes go idle
    if (i < 0) continue;
    const delays = receivers.map((r) => r.firstMessage(content)! - postedAt);
    const own = originEvents.firstMessage(content)! - postedAt;
    perPeer.push(...delays);
    allPeers.push(Math.max(...delays));
    local.push(own);
    added.push(Math.max(...delays) - own);
  }
  return { allPeers, perPeer, local, added };
}

/** Round trips of a trivial request after the same idle pause (the environment's floor). */
async function idleStatusRoundTrips(node: LabNode, count: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    await sleep(PAUSE_MS);
    const started = performance.now();
    await (await fetch(`${node.url}/api/status`)).body?.cancel();
    times.push(performance.now() - started);
  }
  return times;
}

export const propagationSection: Section = {
  id: "propagation",
  number: "5c",
  title: `Conversations: propagation of a new message to ${RECEIVERS} peers (network namespaces)`,
  needsNetns: true,
  async run({ quick }) {
    const count = quick ? 10 : 50;
    const result: PropagationResult = await withLab(RECEIVERS + 1, async (lab) => {
      const nodes = lab.hosts.map((h) => h.node);
      await startNodes(nodes);
      await waitFullMesh(nodes, 60_000);
      const [originEvents, ...receivers] = await Promise.all(
        nodes.map((n) => NodeEvents.open(n.url)),
      );
      try {
        const measured = await measure(nodes[0], originEvents, receivers, count);
        return {
          messages: count,
          allPeersMs: summarize(measured.allPeers),
          perPeerMs: summarize(measured.perPeer),
          originMs: summarize(measured.local),
          meshAddedMs: summarize(measured.added),
          idleStatusMs: summarize(await idleStatusRoundTrips(nodes[0], 20)),
        };
      } finally {
        await Promise.all([originEvents, ...receivers].map((r) => r.close()));
      }
    });
    const goal = { op: "<" as const, value: 50 };
    const origin = (p: "p50" | "p99") => ({
      label: `posting node ${p}`,
      value: result.originMs[p],
    });
    return {
      figures: [
        {
          label: `until all ${RECEIVERS} peers have it, p50`,
          value: result.allPeersMs.p50,
          unit: "ms",
          baseline: origin("p50"),
        },
        {
          label: `until all ${RECEIVERS} peers have it, p99`,
          value: result.allPeersMs.p99,
          unit: "ms",
          goal,
          baseline: origin("p99"),
        },
        {
          label: "per peer, p50",
          value: result.perPeerMs.p50,
          unit: "ms",
          baseline: origin("p50"),
        },
        {
          label: "per peer, p99",
          value: result.perPeerMs.p99,
          unit: "ms",
          goal,
          baseline: origin("p99"),
        },
        {
          label: "added by the mesh (slowest peer − posting node), p50",
          value: result.meshAddedMs.p50,
          unit: "ms",
        },
        {
          label: "added by the mesh (slowest peer − posting node), p99",
          value: result.meshAddedMs.p99,
          unit: "ms",
          goal: { op: "<", value: 10 },
        },
        {
          label: `environment: GET /api/status after ${PAUSE_MS} ms idle, p50`,
          value: result.idleStatusMs.p50,
          unit: "ms",
        },
      ],
      notes: [
        `${count} questions posted one at a time, ${PAUSE_MS} ms apart, on node 1's API (plus one ` +
        `warm-up); timed from ` +
        `sending the POST to each peer's \`message\` event arriving on its /api/events stream; ` +
        `baseline: the same to the posting node's own event (HTTP, commit with fsync, publish)`,
        `on this VM an idle process answers slower than a busy one (a trivial loopback request ` +
        `takes ~0.2 ms back to back, several ms after ${PAUSE_MS} ms idle): the environment row ` +
        `shows that floor for this run`,
      ],
      details: result,
    };
  },
};
