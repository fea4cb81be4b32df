/** The nodes of a status answer by id, so listings can name hosts and show their load. */
import type { Host, Load, Status } from "./client.ts";
import { humanLoad } from "./units.ts";

export interface KnownHost {
  name: string;
  /** This node (the one the CLI talks to). */
  local: boolean;
  load: Load | null;
}

export function hostIndex(status: Status | null): Map<string, KnownHost> {
  const index = new Map<string, KnownHost>();
  if (!status) return index;
  index.set(status.node.id, { name: status.node.name, local: true, load: status.node.load });
  for (const peer of status.peers) {
    index.set(peer.id, { name: peer.name, local: false, load: peer.load });
  }
  return index;
}

/** "desk (this node) 1/2 busy", "laptop 0/2 busy", or just the name when the load is unknown. */
export function hostLabel(host: Host, index: Map<string, KnownHost>, withLoad = true): string {
  const known = index.get(host.id ?? host.nodeId ?? "");
  const local = host.local ?? known?.local ?? false;
  const name = `${host.name || known?.name || "?"}${local ? " (this node)" : ""}`;
  return withLoad && known?.load ? `${name} ${humanLoad(known.load)}` : name;
}
