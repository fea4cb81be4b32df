import { type GraphNode, layoutMesh, ringArc, servingNodes } from "../lib/mesh_layout.ts";
import { conversations, status } from "../models/app.ts";

const WIDTH = 480;
const HEIGHT = 340;
const ROW_HEIGHT = 200;

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function Node({ node }: { node: GraphNode }) {
  const ring = node.r + 5;
  return (
    <g
      class={`graph-node ${node.state}${node.host ? " host" : ""}${node.serving ? " serving" : ""}`}
      role="img"
      aria-label={node.description}
      data-node-id={node.id}
      data-state={node.state}
    >
      <title>{node.description}</title>
      {node.serving && <circle class="serving-halo" cx={node.x} cy={node.y} r={ring + 6} />}
      <circle class="load-track" cx={node.x} cy={node.y} r={ring} />
      {node.loadShare !== null && node.loadShare > 0 && (
        <path class="load-arc" d={ringArc(node.x, node.y, ring, node.loadShare)} />
      )}
      {/* An opaque backing, so the links end at the disc instead of showing through it. */}
      <circle class="disc-back" cx={node.x} cy={node.y} r={node.r} />
      <circle class="disc" cx={node.x} cy={node.y} r={node.r} />
      {node.host && (
        // A small chip inside the disc marks a node that runs models.
        <rect
          class="host-mark"
          x={node.x - node.r * 0.36}
          y={node.y - node.r * 0.36}
          width={node.r * 0.72}
          height={node.r * 0.72}
          rx={node.r * 0.14}
        />
      )}
      <text class="graph-name" x={node.x} y={node.y + ring + 14} text-anchor="middle">
        {truncate(node.name, 18)}
      </text>
      {node.modelLabel && (
        <text class="graph-models" x={node.x} y={node.y + ring + 27} text-anchor="middle">
          {truncate(node.modelLabel, 22)}
        </text>
      )}
    </g>
  );
}

/**
 * A live picture of the mesh: this node in the middle, each peer around it with its link's
 * latency, its models, its load as a ring, the host writing an answer glowing and lost nodes
 * grey. It follows the same signals as the cards, so it changes with every live event.
 */
export function MeshGraph() {
  const graph = layoutMesh({
    self: status.node.value,
    peers: status.peers.value,
    serving: servingNodes(conversations.messages.value),
    width: WIDTH,
    // A row of three needs less height than a ring.
    height: status.peers.value.length <= 2 ? ROW_HEIGHT : HEIGHT,
  });
  return (
    <figure class="card glass mesh-graph" data-testid="mesh-graph">
      <svg
        viewBox={`0 0 ${graph.width} ${graph.height}`}
        role="group"
        aria-label="Picture of the mesh"
      >
        {graph.edges.map((edge) => (
          <g class={`graph-edge ${edge.state}`} key={`e-${edge.id}`} aria-hidden="true">
            <line x1={edge.x1} y1={edge.y1} x2={edge.x2} y2={edge.y2} />
            {edge.label && (
              <text x={edge.labelX} y={edge.labelY} text-anchor="middle" dy="-4">
                {edge.label}
              </text>
            )}
          </g>
        ))}
        {graph.nodes.map((node) => <Node key={node.id} node={node} />)}
      </svg>
      <figcaption class="graph-legend muted">
        <span>
          <i class="legend-dot host" /> runs models
        </span>
        <span>
          <i class="legend-dot" /> uses others' models
        </span>
        <span>
          <i class="legend-ring" /> ring: how busy
        </span>
        <span>
          <i class="legend-dot serving" /> writing an answer
        </span>
        <span>
          <i class="legend-dot lost" /> offline
        </span>
      </figcaption>
    </figure>
  );
}
