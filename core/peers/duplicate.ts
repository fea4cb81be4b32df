/** What both ends know about one connection between a pair of nodes. */
export interface ConnectionKey {
  /** Node id of the side that dialed. */
  initiatorId: string;
  /** The dialer's HELO nonce ("" when an old peer sent none). */
  initiatorNonce: string;
}

/**
 * Decides which of two connections between the same two nodes survives. Both nodes run this
 * on the same facts and so close the same one, whatever order the handshakes finished in:
 * the connection dialed by the lower node id wins; between two dialed by the same node, the
 * lower nonce wins. Returns "current" on a full tie, so an established link is never swapped
 * for an identical-looking one.
 */
export function preferredConnection(
  current: ConnectionKey,
  candidate: ConnectionKey,
  lowerNodeId: string,
): "current" | "candidate" {
  const rank = (key: ConnectionKey) => key.initiatorId === lowerNodeId ? 0 : 1;
  if (rank(candidate) !== rank(current)) {
    return rank(candidate) < rank(current) ? "candidate" : "current";
  }
  return candidate.initiatorNonce < current.initiatorNonce ? "candidate" : "current";
}

/** Reason in the BYE!: that closes the losing link of a pair. */
export const DUPLICATE_LINK = "duplicate link";

/** What the last check of a finished handshake decides. */
export type Arbitration =
  | { kind: "refuse"; reason: string }
  /** No link to that node yet. */
  | { kind: "accept" }
  /** Better than the node's current link, which gives way (retired as a duplicate). */
  | { kind: "replace" };

/**
 * Admission of a connection whose handshake just finished: never our own id, and exactly one
 * link per node, the one preferredConnection() keeps, so both ends keep the same one.
 */
export function arbitrate(facts: {
  running: boolean;
  selfId: string;
  remoteId: string;
  /** The node's link now, if it has one. */
  current: ConnectionKey | null;
  candidate: ConnectionKey;
}): Arbitration {
  if (!facts.running) return { kind: "refuse", reason: "node stopping" };
  if (facts.remoteId === facts.selfId) return { kind: "refuse", reason: "own node id" };
  if (facts.current === null) return { kind: "accept" };
  const lower = facts.selfId < facts.remoteId ? facts.selfId : facts.remoteId;
  return preferredConnection(facts.current, facts.candidate, lower) === "current"
    ? { kind: "refuse", reason: DUPLICATE_LINK }
    : { kind: "replace" };
}
