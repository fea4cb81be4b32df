/**
 * Lab helpers the namespaced sections share: start many nodes without starving two cores,
 * wait for a full mesh, and run a lab that is always torn down.
 */
import { DENO, Lab, type LabHost, type LabNode, type NodeOptions, waitFor } from "../e2e/lab.ts";
import { type Forwarder, forwardTcpToUnix } from "../support/unix_forward.ts";
import { isFullMesh } from "./mesh_views.ts";

const BRIDGE = new URL("./unix_bridge.ts", import.meta.url).pathname;
/** The bench measures the mesh, not the host's admission policy (default capacity 2, 100/min). */
export const HOST_ARGS = ["--capacity", "64", "--queue-size", "64", "--rate-limit", "1000000"];

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

/** A client node (host 1, no Ollama) linked to an LLM host (host 2), and a direct path beside it. */
export interface ClientAndHost {
  client: LabHost;
  host: LabHost;
  /** The host's Ollama test double. */
  double: Deno.ChildProcess;
  /** The byte pipe from the client's namespace to the host's double. */
  bridge: Deno.ChildProcess;
  /** The same double reached direct, through the bridge; the caller closes it. */
  direct: Forwarder;
}

/**
 * Starts the host's double (serving `model`, plus `doubleArgs`) and node, the client node dialing
 * it (neither discovers the other: with both dialing at once, a duplicate-link swap could lose the
 * host's model announcement), and the direct path (unix_bridge.ts in the client's namespace), then
 * waits until the client offers `model`. `nodeArgs` go to both nodes.
 */
export async function startClientAndHost(
  lab: Lab,
  model: string,
  options: { doubleArgs?: string[]; nodeArgs?: string[] } = {},
): Promise<ClientAndHost> {
  const { doubleArgs = [], nodeArgs = [] } = options;
  const client = lab.host(1);
  const host = lab.host(2);
  const directPath = `${lab.dir}/direct.sock`;
  const double = await host.startOllama(["--host", "0.0.0.0", "--models", model, ...doubleArgs]);
  await startNodes([host.node], { args: [...HOST_ARGS, ...nodeArgs] });
  await client.node.start({
    args: ["--no-discovery", "--peer", `${host.address}:7878`, ...nodeArgs],
  });
  const bridge = await client.spawn(
    [
      DENO,
      "run",
      "--allow-all",
      "--quiet",
      BRIDGE,
      "--socket",
      directPath,
      "--target",
      `${host.address}:11434`,
    ],
    /listening/,
  );
  const direct = forwardTcpToUnix(directPath);
  try {
    await waitFor(
      `${model} offered on the client node`,
      async () => {
        const tags = await (await fetch(`${client.node.url}/api/tags`)).json() as {
          models: { name: string }[];
        };
        return tags.models.some((m) => m.name === model);
      },
      15_000,
      100,
    );
  } catch (error) {
    direct.close();
    throw error;
  }
  return { client, host, double, bridge, direct };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
