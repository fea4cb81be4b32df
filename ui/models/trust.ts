import { computed, type ReadonlySignal, signal } from "@preact/signals";
import { errorText } from "../lib/errors.ts";
import { api as httpApi, type NodeApi } from "../api/client.ts";
import type {
  NodeStatus,
  PeerAction,
  PeerStatus,
  TrustAlert,
  TrustNode,
  TrustView,
} from "../api/types.ts";
import {
  blockedNodes,
  pendingNodes,
  recentAlerts,
  securityKey,
  trustStatusById,
} from "../lib/trust.ts";

export type TokenState =
  | { kind: "idle" }
  | { kind: "rotating" }
  | { kind: "shown"; token: string }
  | { kind: "error"; message: string };

export type TrustApi = Pick<NodeApi, "trust" | "peerAction" | "rotateToken">;

/** GET /api/trust: the trust mode, known nodes (pending, trusted, blocked) and recent alerts. */
export interface TrustModel {
  readonly snapshot: ReadonlySignal<TrustView | null>;
  readonly loadError: ReadonlySignal<string | null>;
  /** Nodes waiting for approval, the longest-waiting first. */
  readonly pending: ReadonlySignal<TrustNode[]>;
  /** Blocked nodes that are not among the peers (those show on their peer card). */
  readonly blockedElsewhere: ReadonlySignal<TrustNode[]>;
  readonly statusById: ReadonlySignal<Map<string, TrustNode["status"]>>;
  /** The newest alerts, at most five. */
  readonly recentAlerts: ReadonlySignal<TrustAlert[]>;
  /** The action running per node id (its buttons are disabled meanwhile). */
  readonly peerActionBusy: ReadonlySignal<Record<string, PeerAction>>;
  /** The node's refusal of the last action per node id, shown on that node's card. */
  readonly peerActionError: ReadonlySignal<Record<string, string>>;
  /** The API token rotation; a new token is held only while shown, never stored. */
  readonly tokenState: ReadonlySignal<TokenState>;
  loadTrust(): Promise<void>;
  /**
   * Called with each status of this node (live `node` event): reads the trust list again only
   * when its security figures changed, so no polling is needed.
   */
  followSecurity(node: NodeStatus): void;
  /** Approve, reject, block or unblock a node; then the trust list is read again. */
  runPeerAction(id: string, action: PeerAction): Promise<boolean>;
  rotateToken(): Promise<void>;
  forgetShownToken(): void;
}

function without<T>(record: Record<string, T>, id: string): Record<string, T> {
  const { [id]: _, ...rest } = record;
  return rest;
}

export function createTrustModel(
  { api = httpApi, peers }: { api?: TrustApi; peers: ReadonlySignal<PeerStatus[]> },
): TrustModel {
  const snapshot = signal<TrustView | null>(null);
  const loadError = signal<string | null>(null);
  const peerActionBusy = signal<Record<string, PeerAction>>({});
  const peerActionError = signal<Record<string, string>>({});
  const tokenState = signal<TokenState>({ kind: "idle" });
  let seenSecurityKey: string | null = null;

  const loadTrust = async () => {
    try {
      snapshot.value = await api.trust();
      loadError.value = null;
    } catch (error) {
      loadError.value = errorText(error);
    }
  };

  return {
    snapshot,
    loadError,
    pending: computed(() => pendingNodes(snapshot.value)),
    blockedElsewhere: computed(() => {
      const peerIds = new Set(peers.value.map((peer) => peer.id));
      return blockedNodes(snapshot.value).filter((node) => !peerIds.has(node.nodeId));
    }),
    statusById: computed(() => trustStatusById(snapshot.value)),
    recentAlerts: computed(() => recentAlerts(snapshot.value)),
    peerActionBusy,
    peerActionError,
    tokenState,
    loadTrust,
    followSecurity(node) {
      const key = securityKey(node);
      if (key === seenSecurityKey) return;
      seenSecurityKey = key;
      void loadTrust();
    },
    async runPeerAction(id, action) {
      peerActionBusy.value = { ...peerActionBusy.value, [id]: action };
      peerActionError.value = without(peerActionError.value, id);
      try {
        await api.peerAction(id, action);
        return true;
      } catch (error) {
        peerActionError.value = { ...peerActionError.value, [id]: errorText(error) };
        return false;
      } finally {
        await loadTrust();
        peerActionBusy.value = without(peerActionBusy.value, id);
      }
    },
    async rotateToken() {
      tokenState.value = { kind: "rotating" };
      try {
        tokenState.value = { kind: "shown", token: (await api.rotateToken()).token };
      } catch (error) {
        tokenState.value = { kind: "error", message: errorText(error) };
      }
    },
    forgetShownToken() {
      tokenState.value = { kind: "idle" };
    },
  };
}
