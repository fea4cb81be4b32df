import { computed, type ReadonlySignal, signal } from "@preact/signals";
import { api as httpApi, type NodeApi } from "../api/client.ts";
import type { NodeStatus, PeerStatus } from "../api/types.ts";

export type StatusApi = Pick<NodeApi, "status">;

/** This node and the peers it knows, from /api/status and then live `node` / `peers` events. */
export interface StatusModel {
  readonly node: ReadonlySignal<NodeStatus | null>;
  readonly peers: ReadonlySignal<PeerStatus[]>;
  /** Peers online first, then by name. */
  readonly sortedPeers: ReadonlySignal<PeerStatus[]>;
  /** How many peers are linked now. */
  readonly onlinePeerCount: ReadonlySignal<number>;
  /** When `node` was received (its uptimeSec is as of then). */
  readonly nodeReceivedAt: ReadonlySignal<number>;
  loadStatus(): Promise<void>;
  applyNode(value: NodeStatus): void;
  applyPeers(value: PeerStatus[]): void;
}

export function createStatusModel(
  { api = httpApi, now = Date.now }: { api?: StatusApi; now?: () => number } = {},
): StatusModel {
  const node = signal<NodeStatus | null>(null);
  const peers = signal<PeerStatus[]>([]);
  const nodeReceivedAt = signal(now());

  const applyNode = (value: NodeStatus) => {
    nodeReceivedAt.value = now();
    node.value = value;
  };
  const applyPeers = (value: PeerStatus[]) => {
    peers.value = value;
  };

  return {
    node,
    peers,
    sortedPeers: computed(() =>
      [...peers.value].sort((a, b) =>
        Number(b.state === "up") - Number(a.state === "up") || a.name.localeCompare(b.name)
      )
    ),
    onlinePeerCount: computed(() => peers.value.filter((peer) => peer.state === "up").length),
    nodeReceivedAt,
    async loadStatus() {
      const status = await api.status();
      applyNode(status.node);
      applyPeers(status.peers);
    },
    applyNode,
    applyPeers,
  };
}
