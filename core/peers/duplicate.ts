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
