import { DUPLICATE_LINK } from "./duplicate.ts";
import type { LinkDirection, LinkDown, LinkStats } from "./link_options.ts";

export type PeerState = "connecting" | "up" | "backoff" | "lost";

/** One row of the peer table (status API, UI). Times are epoch milliseconds. */
export interface PeerStatus {
  /** Null for a static peer that has not completed a handshake yet. */
  id: string | null;
  name: string;
  /** Address of the link, or the address being dialed. */
  address: string;
  peerPort: number;
  /** Null until its HELO said. */
  httpPort: number | null;
  state: PeerState;
  /** When it entered `state`. */
  since: number;
  /** Last time any byte arrived from it; null if never. */
  lastSeen: number | null;
  rttMs: number | null;
  hasLlm: boolean;
  /** Who dialed the current (or last) link; null if there never was one. */
  direction: LinkDirection | null;
  bytesIn: number;
  bytesOut: number;
  framesIn: number;
  framesOut: number;
  /** Why the last link ended or the last dial failed. */
  lastError: string | null;
}

/** Where a node stands in the table: its link, or the swap or grace that stands in for one. */
export interface NodeLinkFacts {
  /** It has a link now. */
  linked: boolean;
  /** Its link is being replaced by a better duplicate that is not up yet. */
  swapping: boolean;
  /** The peer closed our link as a duplicate; its replacement is expected shortly. */
  inGrace: boolean;
}

/** Linked, or about to be again (a duplicate swap or its grace period is under way). */
export function countsAsLinked(node: NodeLinkFacts | undefined): boolean {
  return node !== undefined && (node.linked || node.swapping || node.inGrace);
}

/**
 * A link came up for a node: "up" when the node was down (or new), "replaced" when it takes
 * over from a duplicate: no down and up for the table, only a new channel.
 */
export function linkUpVerdict(node: NodeLinkFacts | undefined): "up" | "replaced" {
  return countsAsLinked(node) ? "replaced" : "up";
}

/**
 * A link went down: "stray" when it was not (or no longer) its node's link, "grace" when the
 * peer closed it as a duplicate of a connection it keeps (its replacement should come up
 * here within the grace period), else "lost".
 */
export function linkDownVerdict(facts: {
  /** It was its node's link. */
  current: boolean;
  down: Pick<LinkDown, "cause" | "byeReason">;
  /** The manager is running (not stopping). */
  running: boolean;
}): "stray" | "grace" | "lost" {
  if (!facts.current) return "stray";
  const { cause, byeReason } = facts.down;
  return cause === "bye" && byeReason === DUPLICATE_LINK && facts.running ? "grace" : "lost";
}

/**
 * Whether a lost node leaves the table at once instead of lingering as lost: it said goodbye
 * and nothing wants it any more (discovery forgot it, it is not static).
 */
export function leavesTable(down: Pick<LinkDown, "cause">, wanted: boolean): boolean {
  return down.cause === "bye" && !wanted;
}

/** Counters of a link, live or kept from the last one. */
export type LinkCounters =
  & Pick<LinkStats, "bytesIn" | "bytesOut" | "framesIn" | "framesOut" | "rttMs">
  & { lastSeen: number | null };

/** What the table keeps about a node we completed a handshake with (from its HELO and links). */
export interface NodeDetails {
  id: string;
  name: string;
  /** Address of its link (the last one while down). */
  address: string;
  peerPort: number;
  httpPort: number;
  hasLlm: boolean;
  /** Who dialed its current (or last) link. */
  direction: LinkDirection;
  /** When it came up, or went down. */
  since: number;
  /** Why its last link ended. */
  lastError: string | null;
}

/** A node as the table shows it. */
export interface NodeRow extends NodeDetails, NodeLinkFacts {
  counters: LinkCounters;
}

/** A dial target, as the table shows it. */
export interface TargetRow {
  /** The node it reaches (expected or learned); null for a static peer never linked. */
  nodeId: string | null;
  name: string;
  host: string;
  port: number;
  state: "connecting" | "backoff" | "satisfied";
  since: number;
  lastError: string | null;
}

/**
 * The peer table: a row per node, then one per target whose node is not listed yet. A node
 * that is down shows its most hopeful target (connecting beats backoff) and its latest error.
 */
export function peerRows(nodes: readonly NodeRow[], targets: readonly TargetRow[]): PeerStatus[] {
  const rows: PeerStatus[] = [];
  const listed = new Set<string>();
  for (const node of nodes) {
    listed.add(node.id);
    rows.push(nodeStatus(node, targets.filter((t) => t.nodeId === node.id)));
  }
  for (const target of targets) {
    const id = target.nodeId;
    if (id !== null && listed.has(id)) continue;
    if (id !== null) listed.add(id);
    rows.push({
      id,
      name: target.name,
      address: target.host,
      peerPort: target.port,
      httpPort: null,
      state: target.state === "backoff" ? "backoff" : "connecting",
      since: target.since,
      lastSeen: null,
      rttMs: null,
      hasLlm: false,
      direction: null,
      bytesIn: 0,
      bytesOut: 0,
      framesIn: 0,
      framesOut: 0,
      lastError: target.lastError,
    });
  }
  return rows;
}

function nodeStatus(node: NodeRow, targets: readonly TargetRow[]): PeerStatus {
  let state: PeerState = "lost";
  let since = node.since;
  let lastError = node.linked ? null : node.lastError;
  if (countsAsLinked(node)) {
    state = "up";
  } else {
    for (const target of targets) {
      if (target.state === "connecting" || (target.state === "backoff" && state === "lost")) {
        state = target.state;
        since = target.since;
        if (target.lastError !== null) lastError = target.lastError;
      }
    }
  }
  return {
    id: node.id,
    name: node.name,
    address: node.address,
    peerPort: node.peerPort,
    httpPort: node.httpPort,
    state,
    since,
    lastSeen: node.counters.lastSeen,
    rttMs: node.counters.rttMs,
    hasLlm: node.hasLlm,
    direction: node.direction,
    bytesIn: node.counters.bytesIn,
    bytesOut: node.counters.bytesOut,
    framesIn: node.counters.framesIn,
    framesOut: node.counters.framesOut,
    lastError,
  };
}
