/**
 * Lab helpers the namespaced sections share: start many nodes without starving two cores,
 * wait for a full mesh, and run a lab that is always torn down.
 */
import { Lab, type LabNode, type NodeOptions, waitFor } from "../e2e/lab.ts";
import { isFullMesh } from "./mesh_views.ts";

/**
 * Starts nodes, at most `concurrency` at a time: twenty Deno processes compiling at once on two
 * cores would outlast the lab's 15 s readiness limit.
 */
export async function startNodes(
  nodes: readonly LabNode[],
  options: NodeOptions = {},
  concurrency = 4,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < nodes.length) await nodes[next++].start(options);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, nodes.length) }, worker));
}

/** Waits until every node lists every other as `up`; returns the ms waited. */
export async function waitFullMesh(nodes: readonly LabNode[], timeoutMs: number): Promise<number> {
  return await waitFor(
    `full mesh of ${nodes.length}`,
    async () => isFullMesh(await Promise.all(nodes.map((n) => n.status()))),
    timeoutMs,
    100,
  );
}

/** Creates a lab of `count` hosts, runs `fn`, and always closes it; on failure adds log tails. */
export async function withLab<T>(count: number, fn: (lab: Lab) => Promise<T>): Promise<T> {
  const lab = await Lab.create(count);
  try {
    return await fn(lab);
  } catch (error) {
    const tails = await Promise.all(
      lab.hosts.map(async (h) => `--- ${h.name} ---\n${await h.node.tail(12)}`),
    );
    console.error(`lab logs (last lines of each node):\n${tails.join("\n")}`);
    throw error;
  } finally {
    await lab.close();
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
