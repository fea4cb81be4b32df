import { signal } from "@preact/signals";
import { api } from "../api/client.ts";
import type { NodeStatus, PeerStatus } from "../api/types.ts";

/** This node and the peers it knows, from /api/status and then live `node` / `peers` events. */
export const node = signal<NodeStatus | null>(null);
export const peers = signal<PeerStatus[]>([]);
/** When `node` was received (its uptimeSec is as of then). */
export const nodeReceivedAt = signal(Date.now());

export async function loadStatus(): Promise<void> {
  const status = await api.status();
  applyNode(status.node);
  peers.value = status.peers;
}

export function applyNode(value: NodeStatus): void {
  nodeReceivedAt.value = Date.now();
  node.value = value;
}

export function applyPeers(value: PeerStatus[]): void {
  peers.value = value;
}
