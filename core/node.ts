/**
 * Composition root of a running node: config → identity → mesh (discovery, links) → LLM
 * sharing → conversations → HTTP. One AbortController ends it all on SIGINT/SIGTERM.
 */
import type { Invocation } from "./config/from_process.ts";
import { allowedCidrs, type Config } from "./config/schema.ts";
import { broadcastTargets } from "./discovery/broadcast_targets.ts";
import { Discovery } from "./discovery/discovery.ts";
import { openUdpTransport } from "./discovery/udp_transport.ts";
import { CidrSet } from "./net/cidr.ts";
import { LinkManager } from "./peers/manager.ts";
import { parsePeerAddress } from "./peers/peer_address.ts";
import { buildPeerViews } from "./status/peer_views.ts";
import { EventHub } from "./events/hub.ts";
import { createApp } from "./http/app.ts";
import { nodeRoutes, type StatusView } from "./http/node_routes.ts";
import { loadOrCreateIdentity, type NodeIdentity, shortId } from "./identity/identity.ts";
import { createLogger, type Logger } from "./log/logger.ts";
import { SettingsStore } from "./settings/settings.ts";
import { APP_VERSION } from "./version.ts";
import { PROTOCOL_VERSION } from "./wire/messages/link.ts";

export interface RunningNode {
  identity: NodeIdentity;
  httpPort: number;
  stop(): Promise<void>;
}

export async function startNode(
  config: Config,
  explicit: ReadonlySet<string>,
  logger: Logger,
): Promise<RunningNode> {
  const startedAt = Date.now();
  const identity = await loadOrCreateIdentity(config.dataDir, config.name);
  const settings = await SettingsStore.open(config.dataDir, {
    name: identity.name,
    sharing: config.sharing,
    allowCidr: config.allowCidr,
    blockCidr: config.blockCidr,
    ollamaUrl: config.ollamaUrl,
    rateLimit: config.rateLimit,
    capacity: config.capacity,
  }, new Set([...explicit].filter((k) => k !== "name" || config.name)) as never);
  const events = new EventHub();
  const shutdown = new AbortController();
  const cleanups: (() => Promise<void> | void)[] = [];
  const accessLists = () => ({
    allowed: new CidrSet([...allowedCidrs(config), ...settings.current.allowCidr]),
    blocked: new CidrSet(settings.current.blockCidr),
  });
  // Fail fast on a bad --broadcast/--interface before anything listens.
  const targets = () =>
    broadcastTargets(Deno.networkInterfaces(), {
      interfaces: config.interface,
      includeLoopback: config.includeLoopback,
      explicit: config.broadcast,
    });
  if (config.discovery) targets();
  const staticPeers = config.peer.map((text) => parsePeerAddress(text, config.peerPort));

  const links = new LinkManager({
    identity: { nodeId: identity.nodeId, name: settings.current.name },
    appVersion: APP_VERSION,
    peerHost: config.peerHost,
    peerPort: config.peerPort,
    httpPort: config.httpPort,
    ...accessLists(),
    maxFrameBytes: config.maxFrameBytes,
    heartbeatMs: config.heartbeatMs,
    linkTimeoutMs: config.linkTimeoutMs,
    logger: logger.child("peers"),
  });
  await links.start();
  cleanups.push(() => links.close());

  let discovery: Discovery | null = null;
  if (config.discovery) {
    const udp = await openUdpTransport({ port: config.discoveryPort, logger: logger.child("discovery") });
    discovery = new Discovery(udp, {
      nodeId: identity.nodeId,
      name: settings.current.name,
      peerPort: links.peerPort,
      httpPort: config.httpPort,
      discoveryPort: config.discoveryPort,
      targets,
      ...accessLists(),
      announceIntervalMs: config.announceIntervalMs,
      peerTimeoutMs: config.peerTimeoutMs,
      logger: logger.child("discovery"),
    });
    const instances = new Map<string, string | null>();
    discovery.onNodeSeen((entry) => {
      if (entry.legacy) return; // original nodes speak frames but not our handshake
      const known = instances.get(entry.nodeId);
      instances.set(entry.nodeId, entry.instance);
      links.connect(entry.address, entry.peerPort, {
        nodeId: entry.nodeId,
        name: entry.name,
        restarted: known !== undefined && known !== entry.instance,
      });
    });
    discovery.onNodeLost((entry) => links.forget(entry.nodeId));
    // Stop first on shutdown: the OFFLINE announcement lets peers drop us at once.
    cleanups.unshift(() => discovery?.stop());
  }
  for (const peer of staticPeers) links.connect(peer.host, peer.port, { static: true });

  settings.onChange((next, previous) => {
    if (next.name !== previous.name) {
      links.setName(next.name);
      void discovery?.setName(next.name);
    }
    if (next.allowCidr !== previous.allowCidr || next.blockCidr !== previous.blockCidr) {
      const lists = accessLists();
      links.setAccessLists(lists.allowed, lists.blocked);
    }
  });
  const peerViews = () => buildPeerViews(links.peers(), discovery?.nodes() ?? [], () => null);
  const publishPeers = () => events.publish("peers", peerViews());
  links.onPeersChanged(publishPeers);
  discovery?.onNodeSeen(publishPeers);
  discovery?.onNodeLost(publishPeers);

  const status = (): StatusView => ({
    node: {
      id: identity.nodeId,
      shortId: shortId(identity.nodeId),
      name: settings.current.name,
      version: APP_VERSION,
      protocolVersion: PROTOCOL_VERSION,
      uptimeSec: Math.round((Date.now() - startedAt) / 1000),
      hasLlm: false,
      httpPort: httpPort,
      peerPort: links.peerPort,
      models: [],
      load: { inFlight: 0, capacity: settings.current.capacity, queued: 0 },
    },
    peers: peerViews(),
  });

  const app = createApp([nodeRoutes({ status, settings, events })], logger.child("http"));
  const servers: Deno.HttpServer[] = [];
  let httpPort = config.httpPort;
  if (discovery) await discovery.start();
  await new Promise<void>((resolve, reject) => {
    try {
      servers.push(Deno.serve({
        hostname: config.httpHost,
        port: config.httpPort,
        signal: shutdown.signal,
        onListen: (addr) => {
          httpPort = (addr as Deno.NetAddr).port;
          resolve();
        },
      }, app.fetch));
    } catch (error) {
      reject(new Error(`cannot listen on ${config.httpHost}:${config.httpPort}: ${(error as Error).message}`));
    }
  });
  if (config.httpSocket) {
    await Deno.remove(config.httpSocket).catch(() => {});
    servers.push(Deno.serve({ path: config.httpSocket, signal: shutdown.signal, onListen: () => {} }, app.fetch));
  }
  logger.info("http listening", { url: `http://${config.httpHost}:${httpPort}`, socket: config.httpSocket });

  return {
    identity,
    get httpPort() {
      return httpPort;
    },
    async stop() {
      for (const cleanup of cleanups) {
        try {
          await cleanup();
        } catch (error) {
          logger.warn("shutdown step failed", { error });
        }
      }
      shutdown.abort();
      await Promise.all(servers.map((s) => s.finished.catch(() => {})));
    },
  };
}

/** Runs a node until SIGINT/SIGTERM; returns the exit code. */
export async function runNode(invocation: Invocation): Promise<number> {
  const { config } = invocation;
  const logger = createLogger(config.logLevel);
  const node = await startNode(config, invocation.explicit, logger);
  logger.info("node started", {
    id: node.identity.nodeId,
    name: node.identity.name,
    page: `http://${config.httpHost === "0.0.0.0" ? "localhost" : config.httpHost}:${node.httpPort}`,
  });
  const stopped = new Promise<void>((resolve) => {
    const onSignal = () => resolve();
    Deno.addSignalListener("SIGINT", onSignal);
    if (Deno.build.os !== "windows") Deno.addSignalListener("SIGTERM", onSignal);
  });
  await stopped;
  logger.info("shutting down");
  await node.stop();
  return 0;
}
