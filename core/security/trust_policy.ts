/**
 * Who may link with this node, decided once its identity is proven (the node id is the hash of
 * the key it just proved it holds, so everything here is about ids, never about claims).
 *
 * - `open` (default): any node from the allowed address ranges; it is remembered on first use.
 * - `mesh-key`: only nodes that prove they know the mesh passphrase.
 * - `approve`: a new node waits until the user accepts it ("Add device?").
 *
 * Block lists win over everything; the allow list by node id lets a node in without a
 * question (approve) or without the mesh key (mesh-key).
 */
export const TRUST_MODES = ["open", "mesh-key", "approve"] as const;
export type TrustMode = (typeof TRUST_MODES)[number];

/** What the trust store remembers about a node id. */
export type TrustStatus = "trusted" | "pending" | "blocked";

export interface TrustQuestion {
  mode: TrustMode;
  nodeId: string;
  /** What the trust store says, null for a node never seen. */
  status: TrustStatus | null;
  allowIds: ReadonlySet<string>;
  blockIds: ReadonlySet<string>;
  /** Whether the peer proved the mesh key; null when it sent no proof or we have no key. */
  meshKeyValid: boolean | null;
}

export type TrustDecision =
  | { accept: true; reason: "allow list" | "open mode" | "mesh key" | "approved" }
  | { accept: false; reason: string; pending: boolean };

export function decideTrust(q: TrustQuestion): TrustDecision {
  if (q.blockIds.has(q.nodeId) || q.status === "blocked") {
    return { accept: false, reason: "node id is blocked", pending: false };
  }
  if (q.allowIds.has(q.nodeId)) return { accept: true, reason: "allow list" };
  switch (q.mode) {
    case "open":
      return { accept: true, reason: "open mode" };
    case "mesh-key":
      if (q.meshKeyValid === true) return { accept: true, reason: "mesh key" };
      return {
        accept: false,
        reason: q.meshKeyValid === false ? "wrong mesh key" : "no mesh key proof",
        pending: false,
      };
    case "approve":
      if (q.status === "trusted") return { accept: true, reason: "approved" };
      return { accept: false, reason: "waiting for approval", pending: true };
  }
}
