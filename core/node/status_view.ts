/**
 * The node's status as `/api/status` and the live events show it: this node (identity, load,
 * security at a glance) and the peer table merged from links, discovery and LLM hosting.
 */
import type { NodeEntry } from "../discovery/registry.ts";
import type { NodeView, PeerView, StatusView } from "../http/node_routes.ts";
import { shortId } from "../identity/identity.ts";
import type { LocalLlmStatus, PeerLlmSummary } from "../llm/llm_views.ts";
import type { PeerStatus } from "../peers/manager.ts";
import type { SecurityAlert, TrustEntry } from "../security/trust_store.ts";
import type { Settings } from "../settings/settings.ts";
import { buildPeerViews } from "../status/peer_views.ts";
import { APP_VERSION } from "../version.ts";
import { PROTOCOL_VERSION } from "../wire/messages/link.ts";

export interface StatusViewDeps {
  nodeId: string;
  /** Clock ms when the node started. */
  startedAt: number;
  /** The live settings: name and trust mode. */
  settings: () => Pick<Settings, "name" | "trustMode">;
  /** The HTTP port once listening (the configured one before). */
  httpPort: () => number;
  links: { readonly peerPort: number; peers(): PeerStatus[] };
  discovery: { nodes(): NodeEntry[] } | null;
  llm: {
    readonly hasLlm: boolean;
    localStatus(): LocalLlmStatus;
    peerSummary(nodeId: string): PeerLlmSummary | null;
  };
  trust: { entries(): TrustEntry[]; alerts(): SecurityAlert[] };
  /** False only with --insecure-plaintext-links. */
  encryptedLinks: boolean;
  /** The API asks other machines for the token. */
  apiTokenRequired: () => boolean;
  now?: () => number;
}

export interface NodeStatusView {
  status(): StatusView;
  node(): NodeView;
  peers(): PeerView[];
}

export function statusView(deps: StatusViewDeps): NodeStatusView {
  const now = deps.now ?? Date.now;
  const peers = () =>
    buildPeerViews(
      deps.links.peers(),
      deps.discovery?.nodes() ?? [],
      (id) => deps.llm.peerSummary(id),
    );
  const node = (): NodeView => {
    const local = deps.llm.localStatus();
    const settings = deps.settings();
    return {
      id: deps.nodeId,
      shortId: shortId(deps.nodeId),
      name: settings.name,
      version: APP_VERSION,
      protocolVersion: PROTOCOL_VERSION,
      uptimeSec: Math.round((now() - deps.startedAt) / 1000),
      hasLlm: deps.llm.hasLlm,
      httpPort: deps.httpPort(),
      peerPort: deps.links.peerPort,
      models: local.models,
      load: { inFlight: local.inFlight, capacity: local.capacity, queued: local.queued },
      security: {
        trustMode: settings.trustMode,
        encryptedLinks: deps.encryptedLinks,
        pending: deps.trust.entries().filter((entry) => entry.status === "pending").length,
        alerts: deps.trust.alerts().length,
        apiTokenRequired: deps.apiTokenRequired(),
      },
    };
  };
  return { status: () => ({ node: node(), peers: peers() }), node, peers };
}
