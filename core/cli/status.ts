/** `neuromesh status`: this node, its peers and links, and trust (from /api/status, /api/trust). */
import type { NodeClient, Status, Trust } from "./client.ts";
import { formatTable } from "./table.ts";
import { humanLoad, humanUptime } from "./units.ts";

/** Alerts shown, newest last. */
const ALERTS_SHOWN = 5;

/** The 14-character short id the page shows ("ABCDEFG-HIJKLMN"). */
const short = (id: string) => `${id.slice(0, 7)}-${id.slice(7, 14)}`;

function securityLine(status: Status, trust: Trust | null): string | null {
  const s = status.node.security;
  const mode = s?.trustMode ?? trust?.mode;
  if (!mode) return null;
  const parts = [`trust mode ${mode}`];
  const encrypted = s?.encryptedLinks ?? (trust ? !trust.plaintextLinks : undefined);
  if (encrypted !== undefined) parts.push(encrypted ? "links encrypted" : "links NOT encrypted");
  if (s) {
    parts.push(s.apiTokenRequired ? "API token needed beyond loopback" : "API on loopback only");
    parts.push(`${s.pending} pending`, `${s.alerts} alert${s.alerts === 1 ? "" : "s"}`);
  }
  return parts.join(" · ");
}

/** The lines `neuromesh status` prints; `trust` is null when the node did not give it. */
export function formatStatus(status: Status, trust: Trust | null): string[] {
  const { node, peers } = status;
  const trustOf = new Map(trust?.nodes.map((n) => [n.nodeId, n.status]) ?? []);
  const up = peers.filter((p) => p.state === "up").length;
  const lines = [
    `Node      ${node.name} (${node.shortId}) · NeuroMesh ${node.version}` +
    (node.protocolVersion !== undefined ? ` · protocol ${node.protocolVersion}` : "") +
    ` · up ${humanUptime(node.uptimeSec)}`,
    `LLM       ${
      node.hasLlm && node.models.length
        ? `${node.models.join(", ")} · ${humanLoad(node.load)}`
        : "none on this node (it uses the mesh's)"
    }`,
  ];
  const security = securityLine(status, trust);
  if (security) lines.push(`Security  ${security}`);
  lines.push(`Peers     ${peers.length} known, ${up} linked`);
  if (peers.length > 0) {
    const rows = peers.map((p) => [
      p.name,
      p.shortId,
      p.state,
      p.address,
      p.rttMs === null ? "" : `${Math.round(p.rttMs)} ms`,
      p.models.join(", "),
      p.load ? humanLoad(p.load) : "",
      trustOf.get(p.id) ?? "",
    ]);
    lines.push(
      "",
      ...formatTable(["NAME", "ID", "STATE", "ADDRESS", "RTT", "MODELS", "LOAD", "TRUST"], rows),
    );
  }
  const peerIds = new Set(peers.map((p) => p.id));
  const waiting = trust?.nodes.filter((n) => n.status === "pending" && !peerIds.has(n.nodeId)) ??
    [];
  if (waiting.length > 0) {
    lines.push(
      "",
      `Waiting for your approval (approve on the page): ${
        waiting.map((n) => `${n.name || "?"} (${short(n.nodeId)})`).join(", ")
      }`,
    );
  }
  const alerts = trust?.alerts.slice(-ALERTS_SHOWN) ?? [];
  if (alerts.length > 0) {
    lines.push("", "Recent security alerts:");
    for (const a of alerts) {
      lines.push(
        `  ${new Date(a.at).toISOString()}  ${short(a.nodeId)}${
          a.address ? ` from ${a.address}` : ""
        }: ${a.reason}`,
      );
    }
  }
  return lines;
}

export async function runStatus(
  client: NodeClient,
  print: (line: string) => void,
): Promise<number> {
  const status = await client.status();
  // an older node has no /api/trust: show the rest
  const trust = await client.trust().catch(() => null);
  for (const line of formatStatus(status, trust)) print(line);
  return 0;
}
