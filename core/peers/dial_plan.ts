/**
 * The rules of dialing, apart from timers and sockets (dialer.ts applies them): which target an
 * announcement names, what it does to it, what a target does when its timer fires and after
 * its link ended, and when its backoff starts over.
 */

/** How the caller names a node it wants a link to. */
export interface WantOptions {
  /** The node expected there (from discovery). */
  nodeId?: string;
  /** Static peer: dialed and redialed forever, keyed by its address. */
  static?: boolean;
}

/** Discovered nodes are keyed by id (they may move), static peers by address. */
export function targetKey(host: string, port: number, options: WantOptions): string {
  return options.nodeId && !options.static ? `id:${options.nodeId}` : `at:${host}:${port}`;
}

/**
 * What an announcement (`connect()`) does to the target it names:
 * - "add": a new target, dialed now;
 * - "restart": the node restarted: its link is stale, redial now;
 * - "same": nothing new;
 * - "readdress": the node moved while linked: the new address is kept for the next dial only
 *   (announcements are not authenticated, so a spoofed one cannot cut a working link);
 * - "move": the node moved and is not linked: dial the new address now.
 */
export type AnnounceStep = "add" | "restart" | "same" | "readdress" | "move";

export function announceStep(
  existing: { host: string; port: number } | undefined,
  announced: { host: string; port: number; restarted: boolean },
  nodeLinked: boolean,
): AnnounceStep {
  if (!existing) return "add";
  if (announced.restarted) return "restart";
  if (existing.host === announced.host && existing.port === announced.port) return "same";
  return nodeLinked ? "readdress" : "move";
}

/**
 * How long a new target waits before its first dial. Both ends of a pair hear each other's
 * announcements, and dialing at once from both would cost two TLS handshakes and identity
 * proofs where one link survives (duplicate.ts keeps the one the lower id dialed). So the node
 * with the lower id dials at once and the higher one waits `deferMs`: by then the link it was
 * waiting for is normally up and the target is satisfied without a dial. If the lower one
 * cannot reach it (a firewall, a lost announcement), the higher one dials after the wait.
 * Static peers, and nodes whose id is not known yet, are dialed at once.
 */
export function firstDialDelay(
  selfId: string,
  target: WantOptions,
  deferMs: number,
): number {
  if (target.static || !target.nodeId) return 0;
  return selfId > target.nodeId ? deferMs : 0;
}

/**
 * What a target does when its dial is due: "stop" when it is no longer wanted (forgotten,
 * replaced, shutting down), "satisfied" when its node is linked anyway, "wait" (another
 * backoff) while another target is reaching the same node, else "dial".
 */
export type DialStep = "stop" | "satisfied" | "wait" | "dial";

export function dialStep(facts: {
  wanted: boolean;
  nodeLinked: boolean;
  dialingElsewhere: boolean;
}): DialStep {
  if (!facts.wanted) return "stop";
  if (facts.nodeLinked) return "satisfied";
  return facts.dialingElsewhere ? "wait" : "dial";
}

/**
 * What a target does after the link it dialed ended: "drop" it when the address turned out to
 * be this node, nothing when it is no longer wanted or already waiting to redial, "satisfied"
 * when its node is linked through another connection, else "retry" after a backoff.
 */
export type LinkEndStep = "drop" | "none" | "satisfied" | "retry";

export function linkEndStep(facts: {
  ownNode: boolean;
  wanted: boolean;
  nodeLinked: boolean;
  redialScheduled: boolean;
}): LinkEndStep {
  if (facts.ownNode) return "drop";
  if (!facts.wanted) return "none";
  if (facts.nodeLinked) return "satisfied";
  return facts.redialScheduled ? "none" : "retry";
}

/**
 * The attempt count (which sets the next backoff delay) after a link ends: a link that stayed
 * up for `stableLinkMs` starts the backoff over; a short-lived one does not, so a peer that
 * accepts and drops us at once is not redialed in a tight loop.
 */
export function attemptAfterLink(
  attempt: number,
  upAt: number | undefined,
  now: number,
  stableLinkMs: number,
): number {
  return upAt !== undefined && now - upAt >= stableLinkMs ? 0 : attempt;
}

/**
 * Which of the dials waiting for a free slot goes next: the first id after this node's own on
 * the ring of ids (ids without a known node id keep their arrival order, before the others).
 * Every node learns the others in about the same order; taken in that order, all would dial the
 * same node first and overrun its handshake limit. On the ring each node starts with its own
 * successors, so the dials a node receives at one moment come from few nodes.
 */
export function nextOnRing<T>(
  selfId: string,
  waiting: Iterable<T>,
  idOf: (item: T) => string | null,
): T | undefined {
  // Ids after ours come first ("0…"), then the ring wraps to the lowest ("1…").
  const ringKey = (id: string) => (id > selfId ? "0" : "1") + id;
  let best: T | undefined;
  let bestKey: string | undefined;
  for (const item of waiting) {
    const id = idOf(item);
    if (id === null) return item;
    const key = ringKey(id);
    if (bestKey === undefined || key < bestKey) {
      best = item;
      bestKey = key;
    }
  }
  return best;
}
