/**
 * Where each node of the mesh picture goes: this node in the middle, its peers on a ring around
 * it, one edge per peer (the links this node has; peers' own links are not known here). Pure:
 * the view draws what this returns, so positions, labels and states are tested without a page.
 */
import type { Load, NodeStatus, PeerStatus } from "../api/types.ts";

export type GraphNodeState = "self" | "up" | "reconnecting" | "lost";

export interface GraphNode {
  id: string;
  name: string;
  x: number;
  y: number;
  /** Radius of the node's disc; the load ring is drawn just outside it. */
  r: number;
  state: GraphNodeState;
  /** Runs models for the mesh (an LLM host). */
  host: boolean;
  /** Shown under the name: "llama3.2", "llama3.2 +2", or "" for a node without models. */
  modelLabel: string;
  /** Busy slots over capacity, 0..1; null when the node's load is unknown. */
  loadShare: number | null;
  /** Writing an answer right now (busy slots, or the answer this page waits for). */
  serving: boolean;
  /** One sentence for screen readers (the picture's accessible name for this node). */
  description: string;
}

export interface GraphEdge {
  id: string;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  /** Round-trip time, "4 ms"; null when unknown or the link is down. */
  label: string | null;
  labelX: number;
  labelY: number;
  state: Exclude<GraphNodeState, "self">;
}

export interface MeshGraph {
  width: number;
  height: number;
  /** The ellipse the peers sit on, around the centre. */
  ring: { rx: number; ry: number };
  nodes: GraphNode[];
  edges: GraphEdge[];
}

export interface MeshLayoutInput {
  self: NodeStatus | null;
  peers: PeerStatus[];
  /** Ids of the nodes writing an answer the page is waiting for (busy nodes are added). */
  serving?: ReadonlySet<string>;
  width?: number;
  height?: number;
}

const STATE_OF: Record<PeerStatus["state"], Exclude<GraphNodeState, "self">> = {
  up: "up",
  connecting: "reconnecting",
  backoff: "reconnecting",
  discovered: "reconnecting",
  lost: "lost",
};

const STATE_WORDS: Record<GraphNodeState, string> = {
  self: "this device",
  up: "online",
  reconnecting: "reconnecting",
  lost: "offline",
};

const isServing = (id: string, load: Load | null, serving: ReadonlySet<string>) =>
  serving.has(id) || (load !== null && load.inFlight > 0);

const round = (value: number) => Math.round(value * 10) / 10;

export function modelLabel(models: string[]): string {
  if (models.length === 0) return "";
  return models.length === 1 ? models[0] : `${models[0]} +${models.length - 1}`;
}

export function loadShare(load: Load | null): number | null {
  if (!load) return null;
  if (load.capacity <= 0) return load.inFlight > 0 ? 1 : 0;
  return Math.min(1, Math.max(0, load.inFlight / load.capacity));
}

function describe(
  name: string,
  state: GraphNodeState,
  models: string[],
  load: Load | null,
  serving: boolean,
  rttMs: number | null,
): string {
  const parts = [`${name}: ${STATE_WORDS[state]}`];
  parts.push(models.length > 0 ? `runs ${models.join(", ")}` : "runs no models");
  if (load && state !== "lost") parts.push(`${load.inFlight} of ${load.capacity} busy`);
  if (rttMs !== null && state === "up") parts.push(`${Math.round(rttMs)} ms away`);
  if (serving) parts.push("writing an answer");
  return parts.join(", ");
}

/**
 * A ring layout sized for `width` × `height`. Peers keep their place when their state changes
 * (ordered by name, then id), so a node going offline greys where it stood instead of jumping.
 */
export function layoutMesh(input: MeshLayoutInput): MeshGraph {
  const width = input.width ?? 480;
  const height = input.height ?? 360;
  const serving = input.serving ?? new Set<string>();
  const cx = width / 2;
  const cy = height / 2;
  const peers = [...input.peers].sort((a, b) =>
    a.name.localeCompare(b.name) || a.id.localeCompare(b.id)
  );
  // An ellipse as wide as the picture allows, with room for the labels under each disc.
  const ry = Math.max(40, cy - 46);
  // Two peers or fewer sit on the horizontal axis only, so they may use the whole width.
  const rx = Math.max(40, peers.length <= 2 ? cx - 70 : Math.min(cx - 70, ry * 1.6));
  // Discs shrink as the ring fills so neighbours never overlap: the shortest chord (on the
  // ellipse's narrow axis) stays ≥ 2.6 r.
  const chord = peers.length > 1 ? 2 * ry * Math.sin(Math.PI / peers.length) : ry;
  const peerR = Math.max(8, Math.min(22, chord / 2.6));
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];

  if (input.self) {
    const self = input.self;
    nodes.push({
      id: self.id,
      name: self.name,
      x: cx,
      y: cy,
      r: 28,
      state: "self",
      host: self.hasLlm,
      modelLabel: modelLabel(self.models),
      loadShare: loadShare(self.load),
      serving: isServing(self.id, self.load, serving),
      description: describe(
        self.name,
        "self",
        self.models,
        self.load,
        isServing(self.id, self.load, serving),
        null,
      ),
    });
  }

  // From the top, clockwise; two peers sit left and right, where the picture has room.
  const start = peers.length === 2 ? Math.PI : -Math.PI / 2;
  peers.forEach((peer, index) => {
    const angle = start + (2 * Math.PI * index) / peers.length;
    const x = round(cx + rx * Math.cos(angle));
    const y = round(cy + ry * Math.sin(angle));
    const state = STATE_OF[peer.state] ?? "reconnecting";
    const writing = state !== "lost" && isServing(peer.id, peer.load, serving);
    nodes.push({
      id: peer.id,
      name: peer.name,
      x,
      y,
      r: peerR,
      state,
      host: peer.hasLlm,
      modelLabel: modelLabel(peer.models),
      loadShare: state === "lost" ? null : loadShare(peer.load),
      serving: writing,
      description: describe(peer.name, state, peer.models, peer.load, writing, peer.rttMs),
    });
    edges.push({
      id: peer.id,
      x1: cx,
      y1: cy,
      x2: x,
      y2: y,
      label: state === "up" && peer.rttMs !== null ? `${Math.round(peer.rttMs)} ms` : null,
      labelX: round(cx + (x - cx) * 0.55),
      labelY: round(cy + (y - cy) * 0.55),
      state,
    });
  });
  return { width, height, ring: { rx, ry }, nodes, edges };
}

/**
 * SVG path of a ring segment around (cx, cy) covering `share` of the circle clockwise from the
 * top: the load ring. Empty for 0; a full circle (two arcs) for 1.
 */
export function ringArc(cx: number, cy: number, r: number, share: number): string {
  const s = Math.min(1, Math.max(0, share));
  if (s === 0) return "";
  const top = `M ${round(cx)} ${round(cy - r)}`;
  if (s >= 1) {
    return `${top} A ${r} ${r} 0 1 1 ${round(cx)} ${round(cy + r)} ` +
      `A ${r} ${r} 0 1 1 ${round(cx)} ${round(cy - r)}`;
  }
  const angle = -Math.PI / 2 + 2 * Math.PI * s;
  const x = round(cx + r * Math.cos(angle));
  const y = round(cy + r * Math.sin(angle));
  return `${top} A ${r} ${r} 0 ${s > 0.5 ? 1 : 0} 1 ${x} ${y}`;
}

/** The nodes writing answers the page waits for: streaming answers' hosts. */
export function servingNodes(messages: { complete?: boolean; hostInfo?: { nodeId: string } }[]) {
  const ids = new Set<string>();
  for (const message of messages) {
    if (message.complete === false && message.hostInfo) ids.add(message.hostInfo.nodeId);
  }
  return ids;
}
