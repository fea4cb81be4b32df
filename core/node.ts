/**
 * Composition root of a running node: config → identity → mesh (discovery, links) → LLM
 * sharing → conversations → HTTP. `stop()` undoes it in reverse order.
 */
import { pageUrl, startBanner } from "./cli/banner.ts";
import { openBrowserIfDoubleClicked } from "./cli/open_browser.ts";
import type { Invocation } from "./config/from_process.ts";
import { allowedCidrs, type Config } from "./config/schema.ts";
import { createConversationService } from "./conversations/create_service.ts";
import { broadcastTargets } from "./discovery/broadcast_targets.ts";
import { Discovery } from "./discovery/discovery.ts";
import { openUdpTransport } from "./discovery/udp_transport.ts";
import { EventHub } from "./events/hub.ts";
import { createApp } from "./http/app.ts";
import { conversationRoutes } from "./http/conversation_routes.ts";
import { llmRoutes } from "./http/llm_routes.ts";
import { startHttpServer } from "./http/http_server.ts";
import { requestGuards } from "./http/request_guards.ts";
import { nodeRoutes, type StatusView } from "./http/node_routes.ts";
import { trustRoutes } from "./http/trust_routes.ts";
import { uiRoutes } from "./http/ui_routes.ts";
import {
  fingerprintOfPublicKey,
  loadOrCreateIdentity,
  type NodeIdentity,
  shortId,
} from "./identity/identity.ts";
import { createBackend } from "./llm/create_backend.ts";
import { createMeshLlm } from "./llm/create_mesh_llm.ts";
import { createLogger, type Logger } from "./log/logger.ts";
import { CidrSet } from "./net/cidr.ts";
import { isLoopbackHost } from "./net/loopback.ts";
import { OriginAllowList } from "./net/origin.ts";
import { LinkManager } from "./peers/manager.ts";
import { parsePeerAddress } from "./peers/peer_address.ts";
import { ApiTokens, tokenFileIo } from "./security/api_token.ts";
import { createLinkSecurity } from "./security/link_security.ts";
import { deriveMeshKey } from "./security/mesh_key.ts";
import { trustFileIo, TrustStore } from "./security/trust_store.ts";
import { SettingsStore } from "./settings/settings.ts";
import { buildPeerViews } from "./status/peer_views.ts";
import type { PeerBus } from "./peers/bus.ts";
import { ConversationStore } from "./store/store.ts";
import { RecordVerifier, signerForIdentity } from "./sync/record_signature.ts";
import { APP_VERSION } from "./version.ts";
import { PROTOCOL_VERSION } from "./wire/messages/link.ts";

export interface RunningNode {
  identity: NodeIdentity;
  httpPort: number;
  peerPort: number;
  hasLlm: boolean;
  /** A new API token made at this start (shown once), or null. */
  newApiToken: string | null;
  /** Models of the local LLM, or null when it did not answer. */
  localModels(): string[] | null;
  /** Parts of the running node, for code embedding it and for test tools driving its links. */
  parts: { bus: PeerBus; store: ConversationStore };
  stop(): Promise<void>;
}

type Cleanup = () => Promise<void> | void;

export async function startNode(
  config: Config,
  explicit: ReadonlySet<string>,
  logger: Logger,
): Promise<RunningNode> {
  const startedAt = Date.now();
  const identity = await loadOrCreateIdentity(config.dataDir, config.name);
  const meshKey = config.meshKey ? await deriveMeshKey(config.meshKey) : null;
  const settings = await SettingsStore.open(
    config.dataDir,
    {
      name: identity.name,
      sharing: config.sharing,
      allowCidr: config.allowCidr,
      blockCidr: config.blockCidr,
      ollamaUrl: config.ollamaUrl,
      rateLimit: config.rateLimit,
      capacity: config.capacity,
      trustMode: config.trustMode,
      allowNodeId: config.allowNodeId,
      blockNodeId: config.blockNodeId,
    },
    new Set([...explicit].filter((k) => k !== "name" || config.name)) as never,
    (next) =>
      next.trustMode === "mesh-key" && !meshKey
        ? "mesh-key mode needs a mesh key: start the node with --mesh-key or NEUROMESH_MESH_KEY"
        : null,
  );
  const trust = await TrustStore.open(trustFileIo(config.dataDir), {
    onSaveError: (error) => logger.warn("trust store not saved", { error }),
  });
  const tokens = await ApiTokens.open(tokenFileIo(config.dataDir), config.httpToken);
  // A token is needed as soon as the page and API are reachable beyond this machine.
  const newApiToken = isLoopbackHost(config.httpHost) ? null : await tokens.ensure();
  const events = new EventHub();
  // Undone in reverse order of building; each step is independent of the others failing.
  const cleanups: Cleanup[] = [];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch (error) {
        logger.warn("shutdown step failed", { error });
      }
    }
    cleanups.length = 0;
  };
  cleanups.push(() => trust.flush());

  try {
    let lists: { of: unknown; allowed: CidrSet; blocked: CidrSet } | undefined;
    const accessLists = () => {
      if (lists?.of !== settings.current) {
        lists = {
          of: settings.current,
          allowed: new CidrSet([...allowedCidrs(config), ...settings.current.allowCidr]),
          blocked: new CidrSet(settings.current.blockCidr),
        };
      }
      return { allowed: lists.allowed, blocked: lists.blocked };
    };
    const targets = () =>
      broadcastTargets(Deno.networkInterfaces(), {
        interfaces: config.interface,
        includeLoopback: config.includeLoopback,
        explicit: config.broadcast,
      });
    // Fail fast on a bad --broadcast/--interface/--peer before anything listens.
    if (config.discovery) targets();
    const staticPeers = config.peer.map((text) => parsePeerAddress(text, config.peerPort));

    // --- mesh: peer links (authenticated; encrypted unless --insecure-plaintext-links) --------
    const trustSettings = () => ({
      mode: settings.current.trustMode,
      allowIds: new Set(settings.current.allowNodeId),
      blockIds: new Set(settings.current.blockNodeId),
    });
    const security = await createLinkSecurity({
      identity,
      trust,
      settings: trustSettings,
      meshKey: () => meshKey,
      plaintext: config.insecurePlaintextLinks,
      logger: logger.child("security"),
    });
    if (config.insecurePlaintextLinks) {
      logger.warn("peer links are NOT encrypted (--insecure-plaintext-links): tests only");
    }
    const links = new LinkManager({
      identity: {
        nodeId: identity.nodeId,
        name: settings.current.name,
        publicKey: security.publicKey,
      },
      appVersion: APP_VERSION,
      peerHost: config.peerHost,
      peerPort: config.peerPort,
      httpPort: config.httpPort,
      ...accessLists(),
      maxFrameBytes: config.maxFrameBytes,
      heartbeatMs: config.heartbeatMs,
      linkTimeoutMs: config.linkTimeoutMs,
      // On a LAN a redial is one SYN: keep the cap low so a healed partition relinks in seconds.
      backoff: { baseMs: 250, capMs: config.redialCapMs },
      ...security.linkOptions,
      logger: logger.child("peers"),
    });
    await links.start();
    cleanups.push(() => links.close());

    // --- LLM sharing -----------------------------------------------------------------------
    const llmSettings = () => ({
      name: settings.current.name,
      allowCidr: settings.current.allowCidr,
      blockCidr: settings.current.blockCidr,
      rateLimit: settings.current.rateLimit,
      capacity: settings.current.capacity,
      queueSize: config.queueSize,
      serveLlm: config.serveLlm,
    });
    const llm = createMeshLlm({
      nodeId: identity.nodeId,
      settings: llmSettings,
      bus: links,
      backend: createBackend({
        ollamaUrl: settings.current.ollamaUrl,
        openaiUrl: config.openaiUrl,
      }),
      logger: logger.child("llm"),
      events,
    });
    await llm.start();
    cleanups.push(() => llm.close());

    // --- conversations ---------------------------------------------------------------------
    const store = ConversationStore.open(config.dataDir, {
      nodeId: identity.nodeId,
      logger: logger.child("store"),
      signer: await signerForIdentity(identity),
    });
    cleanups.push(() => store.close());
    const conversations = createConversationService({
      nodeId: identity.nodeId,
      settings: () => settings.current,
      store,
      bus: links,
      chat: llm,
      events,
      antiEntropyMs: config.antiEntropyMs,
      logger: logger.child("conversations"),
      isLlmHost: () => llm.hasLlm,
      verifier: new RecordVerifier(),
      // A trusted peer that sends records its origin did not sign, or that are not its origin's
      // to write: shown with the other security alerts, naming the peer.
      onForgery: (from, problem) =>
        trust.alert({
          at: Date.now(),
          nodeId: from.id,
          address: from.address,
          reason: `sent conversation records it may not: ${problem}`,
        }),
    });
    conversations.start();
    cleanups.push(() => conversations.stop());

    // --- discovery -------------------------------------------------------------------------
    let discovery: Discovery | null = null;
    if (config.discovery) {
      const udp = await openUdpTransport({
        port: config.discoveryPort,
        logger: logger.child("discovery"),
      });
      discovery = new Discovery(udp, {
        nodeId: identity.nodeId,
        settings: () => ({ name: settings.current.name, ...accessLists() }),
        peerPort: links.peerPort,
        httpPort: config.httpPort,
        hasLlm: () => llm.hasLlm,
        fingerprint: await fingerprintOfPublicKey(identity.publicKeyRaw),
        discoveryPort: config.discoveryPort,
        targets,
        announceIntervalMs: config.announceIntervalMs,
        peerTimeoutMs: config.peerTimeoutMs,
        logger: logger.child("discovery"),
      });
      discovery.onNodeSeen((entry, kind) => {
        if (entry.legacy) return; // original nodes announce but do not speak our handshake
        links.connect(entry.address, entry.peerPort, {
          nodeId: entry.nodeId,
          name: entry.name,
          restarted: kind === "restarted",
        });
      });
      discovery.onNodeLost((entry) => links.forget(entry.nodeId));
      await discovery.start();
      // Pushed last so it runs first on shutdown: OFFLINE lets peers drop us at once.
      const started = discovery;
      cleanups.push(() => started.stop());
    }
    for (const peer of staticPeers) links.connect(peer.host, peer.port, { static: true });

    // --- live state ------------------------------------------------------------------------
    const peerViews = () =>
      buildPeerViews(links.peers(), discovery?.nodes() ?? [], (id) => llm.peerSummary(id));
    let httpPort = config.httpPort;
    const status = (): StatusView => {
      const local = llm.localStatus();
      return {
        node: {
          id: identity.nodeId,
          shortId: shortId(identity.nodeId),
          name: settings.current.name,
          version: APP_VERSION,
          protocolVersion: PROTOCOL_VERSION,
          uptimeSec: Math.round((Date.now() - startedAt) / 1000),
          hasLlm: llm.hasLlm,
          httpPort,
          peerPort: links.peerPort,
          models: local.models,
          load: { inFlight: local.inFlight, capacity: local.capacity, queued: local.queued },
          security: {
            trustMode: settings.current.trustMode,
            encryptedLinks: !config.insecurePlaintextLinks,
            pending: trust.entries().filter((entry) => entry.status === "pending").length,
            alerts: trust.alerts().length,
            apiTokenRequired: tokens.configured && !isLoopbackHost(config.httpHost),
          },
        },
        peers: peerViews(),
      };
    };
    const publishPeers = () => events.publish("peers", peerViews());
    links.onPeersChanged(publishPeers);
    discovery?.onNodeSeen(publishPeers);
    discovery?.onNodeLost(publishPeers);
    let hadLlm = llm.hasLlm;
    llm.onChange(() => {
      publishPeers();
      if (llm.hasLlm === hadLlm) return;
      hadLlm = llm.hasLlm;
      links.setHasLlm(hadLlm);
      void discovery?.announce();
      events.publish("node", status().node);
    });

    // Links only ever come up for trusted nodes; when trust changes, drop the ones no longer so.
    const dropUntrusted = () => {
      for (const peer of links.linkedPeers()) {
        if (!security.guard.stillTrusted(peer.id)) links.disconnect(peer.id, "no longer trusted");
      }
    };
    trust.onChange(() => {
      dropUntrusted();
      events.publish("node", status().node);
    });

    settings.onChange((next, previous) => {
      if (
        next.trustMode !== previous.trustMode || next.allowNodeId !== previous.allowNodeId ||
        next.blockNodeId !== previous.blockNodeId
      ) dropUntrusted();
      if (next.name !== previous.name) {
        links.setName(next.name);
        void discovery?.announce();
      }
      if (next.allowCidr !== previous.allowCidr || next.blockCidr !== previous.blockCidr) {
        const lists = accessLists();
        links.setAccessLists(lists.allowed, lists.blocked);
      }
      llm.applySettings();
      if (next.ollamaUrl !== previous.ollamaUrl) {
        void llm.setBackend(
          createBackend({ ollamaUrl: next.ollamaUrl, openaiUrl: config.openaiUrl }),
        );
      }
      if (next.sharing && !previous.sharing) conversations.syncNow();
      events.publish("node", status().node);
    });

    // --- HTTP --------------------------------------------------------------------------------
    const httpLog = logger.child("http");
    const loggedRefusals = new Set<string>();
    const app = createApp([
      // First: every route below is behind the origin guard, API access and body limits.
      requestGuards({
        allowedOrigins: new OriginAllowList(config.allowOrigin),
        tokens,
        limits: config,
        onOriginRefused: (reason) => {
          // Each distinct refusal once: a page retrying in a loop must not flood the log.
          if (loggedRefusals.size >= 256 || loggedRefusals.has(reason)) return;
          loggedRefusals.add(reason);
          httpLog.info("web page refused", { reason });
        },
      }),
      nodeRoutes({ status, settings, events }),
      trustRoutes({
        trust,
        mode: () => settings.current.trustMode,
        meshKeyConfigured: meshKey !== null,
        plaintextLinks: config.insecurePlaintextLinks,
        onApproved: (id) => links.retryNow(id),
        onBlocked: (id) => links.disconnect(id, "blocked"),
        rotateToken: () => tokens.rotate(),
      }),
      llmRoutes({
        llm,
        nodeId: identity.nodeId,
        settings: () => settings.current,
        version: APP_VERSION,
      }),
      conversationRoutes(conversations),
      uiRoutes(),
    ], httpLog);
    // node:http, not Deno.serve: only it closes connections that never finish their headers.
    const serverOptions = {
      headersTimeoutMs: config.headerTimeoutMs,
      onError: (error: unknown) => httpLog.error("http handler failed", { error }),
    };
    const server = await startHttpServer(app.fetch, {
      ...serverOptions,
      listen: { hostname: config.httpHost, port: config.httpPort },
    });
    cleanups.push(() => server.close());
    httpPort = server.port;
    if (config.httpSocket) {
      await Deno.remove(config.httpSocket).catch(() => {});
      const socketServer = await startHttpServer(app.fetch, {
        ...serverOptions,
        listen: { path: config.httpSocket },
      });
      cleanups.push(() => socketServer.close());
    }
    logger.info("http listening", {
      url: `http://${config.httpHost}:${httpPort}`,
      socket: config.httpSocket,
    });

    return {
      identity,
      newApiToken,
      get httpPort() {
        return httpPort;
      },
      get peerPort() {
        return links.peerPort;
      },
      get hasLlm() {
        return llm.hasLlm;
      },
      localModels() {
        const local = llm.localStatus();
        return local.available ? local.models : null;
      },
      parts: { bus: links, store },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Runs a node until SIGINT/SIGTERM; returns the exit code. */
export async function runNode(invocation: Invocation): Promise<number> {
  const { config } = invocation;
  const logger = createLogger(config.logLevel);
  // Listen before starting: a stop requested while the node starts waits for the start, then
  // shuts down cleanly instead of killing the process half-way.
  const stopRequested = new Promise<void>((resolve) => {
    Deno.addSignalListener("SIGINT", resolve);
    if (Deno.build.os !== "windows") Deno.addSignalListener("SIGTERM", resolve);
  });
  const node = await startNode(config, invocation.explicit, logger);
  const page = pageUrl(config.httpHost, node.httpPort);
  logger.info("node started", { id: node.identity.nodeId, name: node.identity.name, page });
  console.log(
    startBanner({
      version: APP_VERSION,
      nodeName: node.identity.name,
      nodeId: node.identity.nodeId,
      httpHost: config.httpHost,
      httpPort: node.httpPort,
      dataDir: config.dataDir,
      peerPort: node.peerPort,
      discoveryPort: config.discoveryPort,
      discovery: config.discovery,
      ollamaUrl: config.openaiUrl ?? config.ollamaUrl,
      ollamaModels: node.localModels(),
    }).join("\n"),
  );
  if (node.newApiToken) {
    console.log(
      `API token for other devices (shown only now; rotate it with POST /api/token/rotate ` +
        `from this machine): ${node.newApiToken}\n` +
        `  open http://<this machine>:${node.httpPort}/?token=${node.newApiToken} once in their browser`,
    );
  }
  openBrowserIfDoubleClicked(page, config.open);
  await stopRequested;
  logger.info("shutting down");
  await node.stop();
  return 0;
}
