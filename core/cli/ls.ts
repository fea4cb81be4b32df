/** `neuromesh ls`: the models of the mesh, with their hosts and each host's load. */
import type { NodeClient, Status, Tags } from "./client.ts";
import { hostIndex, hostLabel } from "./mesh_hosts.ts";
import { formatTable } from "./table.ts";
import { humanBytes } from "./units.ts";

export const NO_MODELS =
  "no models on the mesh yet: install Ollama on a device of this network and `ollama pull llama3.2`";

/** The table `neuromesh ls` prints. */
export function formatModelList(tags: Tags, status: Status | null): string[] {
  if (tags.models.length === 0) return [NO_MODELS];
  const index = hostIndex(status);
  const rows = tags.models.map((m) => [
    m.name,
    m.details?.parameter_size ?? "",
    m.size ? humanBytes(m.size) : "",
    m.hosts.map((h) => hostLabel(h, index)).join(", "),
  ]);
  return formatTable(["NAME", "PARAMS", "SIZE", "HOSTS"], rows);
}

export async function runLs(client: NodeClient, print: (line: string) => void): Promise<number> {
  const [tags, status] = await Promise.all([client.tags(), client.status()]);
  for (const line of formatModelList(tags, status)) print(line);
  return 0;
}
