/**
 * Conditions on peer tables (as `/api/status` and the `peers` live event list them): who sees
 * whom, in which state, and when a node's history of tables first met a condition. Pure.
 */

export interface PeerEntry {
  id: string;
  state: string;
}

export interface NodeView {
  node: { id: string };
  peers: PeerEntry[];
}

/** True when every id of `expected` is listed, in one of `states` when they are given. */
export function seesAll(
  peers: readonly PeerEntry[],
  expected: readonly string[],
  states?: readonly string[],
): boolean {
  return expected.every((id) =>
    peers.some((p) => p.id === id && (states === undefined || states.includes(p.state)))
  );
}

/** Every node lists every other one as `up`, exactly once. */
export function isFullMesh(views: readonly NodeView[]): boolean {
  const ids = views.map((v) => v.node.id);
  return views.every((view) => {
    const others = ids.filter((id) => id !== view.node.id);
    const up = view.peers.filter((p) => p.state === "up").map((p) => p.id);
    return new Set(up).size === up.length && seesAll(view.peers, others, ["up"]);
  });
}

export interface TimedPeers {
  atMs: number;
  peers: PeerEntry[];
}

/** The time of the first table in `history` that sees all of `expected`, or null. */
export function firstTimeSeeing(
  history: readonly TimedPeers[],
  expected: readonly string[],
  states?: readonly string[],
): number | null {
  return history.find((entry) => seesAll(entry.peers, expected, states))?.atMs ?? null;
}

/** One node's id and the peer tables it has published so far. */
export interface NodeHistory {
  id: string;
  tables: readonly TimedPeers[];
}

/**
 * When the mesh became full as the nodes' latest tables show it: null unless each node's latest
 * table lists every other node as `up`; else the arrival time of the latest of those tables
 * (the moment the last node completed its view).
 */
export function fullMeshAt(histories: readonly NodeHistory[]): number | null {
  let at = -Infinity;
  for (const node of histories) {
    const latest = node.tables.at(-1);
    if (!latest) return null;
    const others = histories.filter((h) => h !== node).map((h) => h.id);
    if (!seesAll(latest.peers, others, ["up"])) return null;
    at = Math.max(at, latest.atMs);
  }
  return histories.length > 0 ? at : null;
}

/** Pairs of nodes that both list each other `up` in their latest tables. */
export function linkedPairs(histories: readonly NodeHistory[]): number {
  const upOf = histories.map((h) =>
    new Set((h.tables.at(-1)?.peers ?? []).filter((p) => p.state === "up").map((p) => p.id))
  );
  let pairs = 0;
  for (let i = 0; i < histories.length; i++) {
    for (let j = i + 1; j < histories.length; j++) {
      if (upOf[i].has(histories[j].id) && upOf[j].has(histories[i].id)) pairs++;
    }
  }
  return pairs;
}
