import { signal } from "@preact/signals";
import { api } from "../api/client.ts";
import type { NodeStatus, PeerStatus } from "../api/types.ts";

/** This node and the peers it knows, from /api/status and then live `node` / `peers` events. */
export const node = signal<NodeStatus | null>(null);
export const peers = signal<PeerStatus[]>([]);

export async function loadStatus(): Promise<void> {
  const status = await api.status();
  node.value = status.node;
  peers.value = status.peers;
}

export function applyNode(value: NodeStatus): void {
  node.value = value;
}

export function applyPeers(value: PeerStatus[]): void {
  peers.value = value;
}
