/**
 * LAN discovery feeding the peer links: every node heard is dialed (a restarted one at once),
 * every node lost is forgotten. Original NeuroMesh nodes announce but do not speak our
 * handshake, so they are only listed.
 */
import type { Config } from "../config/schema.ts";
import { Discovery, type DiscoverySettings } from "../discovery/discovery.ts";
import { openUdpTransport } from "../discovery/udp_transport.ts";
import type { Logger } from "../log/logger.ts";
import type { LinkManager } from "../peers/manager.ts";

export interface MeshDiscoveryDeps {
  config: Pick<
    Config,
    "discoveryPort" | "httpPort" | "announceIntervalMs" | "peerTimeoutMs"
  >;
  nodeId: string;
  /** The full fingerprint of this node's key, sent so peers can check the id. */
  fingerprint: string;
  settings: () => DiscoverySettings;
  hasLlm: () => boolean;
  /** Where announcements go, read anew at each announce. */
  targets: () => readonly string[];
  links: LinkManager;
  logger: Logger;
}

export async function startMeshDiscovery(deps: MeshDiscoveryDeps): Promise<Discovery> {
  const { config, links, logger } = deps;
  const udp = await openUdpTransport({ port: config.discoveryPort, logger });
  const discovery = new Discovery(udp, {
    nodeId: deps.nodeId,
    settings: deps.settings,
    hasLlm: deps.hasLlm,
    peerPort: links.peerPort,
    httpPort: config.httpPort,
    fingerprint: deps.fingerprint,
    discoveryPort: config.discoveryPort,
    targets: deps.targets,
    announceIntervalMs: config.announceIntervalMs,
    peerTimeoutMs: config.peerTimeoutMs,
    logger,
  });
  discovery.onNodeSeen((entry, kind) => {
    if (entry.legacy) return;
    links.connect(entry.address, entry.peerPort, {
      nodeId: entry.nodeId,
      name: entry.name,
      restarted: kind === "restarted",
    });
  });
  discovery.onNodeLost((entry) => links.forget(entry.nodeId));
  await discovery.start();
  return discovery;
}
