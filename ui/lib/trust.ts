import type { NodeStatus, TrustAlert, TrustNode, TrustView } from "../api/types.ts";

/**
 * The security figures of this node's status that mean the trust list changed (a node asks to
 * join, an alert was recorded, the mode changed). The page reads /api/trust again only when
 * this changes, instead of polling.
 */
export function securityKey(node: NodeStatus | null): string | null {
  const security = node?.security;
  if (!security) return null;
  return `${security.trustMode}|${security.pending}|${security.alerts}`;
}

const byFirstSeen = (a: TrustNode, b: TrustNode) => a.firstSeen - b.firstSeen;

/** Nodes waiting for the user's approval, the longest-waiting first. */
export function pendingNodes(view: TrustView | null): TrustNode[] {
  return (view?.nodes ?? []).filter((n) => n.status === "pending").sort(byFirstSeen);
}

/** Nodes the user (or the block list) refused, oldest decision first. */
export function blockedNodes(view: TrustView | null): TrustNode[] {
  return (view?.nodes ?? []).filter((n) => n.status === "blocked").sort(byFirstSeen);
}

/** Trust status by node id, for the peer cards. */
export function trustStatusById(view: TrustView | null): Map<string, TrustNode["status"]> {
  return new Map((view?.nodes ?? []).map((n) => [n.nodeId, n.status]));
}

/** One sentence a person understands for a security alert recorded by the node. */
export function describeAlert(alert: TrustAlert): string {
  const who = `A device at ${alert.address || "an unknown address"}`;
  const claimed = alert.shortId;
  if (/not its key|prove it holds/.test(alert.reason)) {
    return `${who} claimed to be ${claimed} without its key`;
  }
  if (/wrong mesh key/.test(alert.reason)) {
    return `${who} (as ${claimed}) gave a wrong mesh key`;
  }
  return `${who} (as ${claimed}): ${alert.reason}`;
}

/** Alerts newest first, at most `limit`. */
export function recentAlerts(view: TrustView | null, limit = 5): TrustAlert[] {
  return [...(view?.alerts ?? [])].sort((a, b) => b.at - a.at).slice(0, limit);
}
