/**
 * `neuromesh ps`: what is loaded and generating where — each model of `/api/ps` on each of its
 * hosts, with that host's load from `/api/status` and when the model unloads.
 */
import type { Host, NodeClient, Ps, Status } from "./client.ts";
import { hostIndex, hostLabel } from "./mesh_hosts.ts";
import { formatTable } from "./table.ts";
import { humanBytes, humanLoad, humanUntil } from "./units.ts";

export const NOTHING_RUNNING = "nothing is loaded or generating on the mesh";

function hostsOf(model: Ps["models"][number]): Host[] {
  if (model.hosts?.length) return model.hosts;
  if (typeof model.host === "string") return [{ name: model.host }];
  return model.host ? [model.host] : [];
}

/** The table `neuromesh ps` prints; `now` for the UNTIL column. */
export function formatRunning(ps: Ps, status: Status | null, now: Date): string[] {
  const index = hostIndex(status);
  const rows: string[][] = [];
  const listed = new Set<string>();
  for (const model of ps.models) {
    const hosts = hostsOf(model);
    for (const host of hosts.length ? hosts : [null]) {
      const id = host?.id ?? host?.nodeId ?? "";
      listed.add(id || `name:${host?.name}`);
      const known = index.get(id);
      const expires = host?.expires_at ?? model.expires_at;
      rows.push([
        model.name,
        host ? hostLabel(host, index, false) : "",
        known?.load ? humanLoad(known.load) : "",
        model.size ? humanBytes(model.size) : "",
        expires ? humanUntil(new Date(expires), now) : "",
      ]);
    }
  }
  // nodes busy with a model /api/ps does not list (e.g. a node of another version)
  for (const node of status ? [status.node, ...status.peers] : []) {
    if (!node.load || node.load.inFlight + node.load.queued === 0) continue;
    if (listed.has(node.id) || listed.has(`name:${node.name}`)) continue;
    rows.push([
      node.models.join(", "),
      hostLabel({ id: node.id, name: node.name }, index, false),
      humanLoad(node.load),
      "",
      "",
    ]);
  }
  if (rows.length === 0) return [NOTHING_RUNNING];
  return formatTable(["NAME", "HOST", "LOAD", "SIZE", "UNTIL"], rows);
}

export async function runPs(
  client: NodeClient,
  print: (line: string) => void,
  now: () => Date = () => new Date(),
): Promise<number> {
  const [ps, status] = await Promise.all([client.ps(), client.status()]);
  for (const line of formatRunning(ps, status, now())) print(line);
  return 0;
}
