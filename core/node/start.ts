/**
 * The composition root of a running node: state → peer links → LLM sharing → conversations →
 * discovery → reactions → HTTP. Each module gets what it needs, settings through one accessor
 * (live_settings.ts); one cleanup stack stops everything in reverse order.
 */
import type { Config } from "../config/schema.ts";
import { createConversationService } from "../conversations/create_service.ts";
import { ConversationArchive } from "../conversations/archive.ts";
import { ConversationEvents } from "../conversations/conversation_events.ts";
import { searchConversations } from "../conversations/search.ts";
import { broadcastTargets } from "../discovery/broadcast_targets.ts";
import type { Discovery } from "../discovery/discovery.ts";
import { EventHub } from "../events/hub.ts";
import { fingerprintOfPublicKey, type NodeIdentity } from "../identity/identity.ts";
import { loadBackendMaker } from "../llm/create_backend.ts";
import { createMeshLlm } from "../llm/create_mesh_llm.ts";
import type { Logger } from "../log/logger.ts";
import { NodeMetrics } from "../metrics/node_metrics.ts";
import { isLoopbackHost } from "../net/loopback.ts";
import type { PeerBus } from "../peers/bus.ts";
import { LinkManager } from "../peers/manager.ts";
import { parsePeerAddress } from "../peers/peer_address.ts";
import { createLinkSecurity } from "../security/link_security.ts";
import { ConversationStore } from "../store/store.ts";
import { RecordVerifier, signerForIdentity } from "../sync/record_signature.ts";
import { APP_VERSION } from "../version.ts";
import { CleanupStack } from "./cleanup_stack.ts";
import { nodeHttpApp } from "./http_app.ts";
import { serveHttp } from "./http_serving.ts";
import { liveSettings } from "./live_settings.ts";
import { startMeshDiscovery } from "./mesh_discovery.ts";
import { openNodeState } from "./node_state.ts";
import { wireReactions } from "./reactions.ts";
import { statusView } from "./status_view.ts";

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

export async function startNode(
  config: Config,
  explicit: ReadonlySet<string>,
  logger: Logger,
): Promise<RunningNode> {
  const startedAt = Date.now();
  const { identity, meshKey, settings, trust, tokens, newApiToken } = await openNodeState(
    config,
    explicit,
    logger,
  );
  const live = liveSettings(config, () => settings.current);
  const events = new EventHub();
  const cleanups = new CleanupStack(logger);
  cleanups.push(() => trust.flush());

  try {
    const targets = () =>
      broadcastTargets(Deno.networkInterfaces(), {
        interfaces: config.interface,
        includeLoopback: config.includeLoopback,
        explicit: config.broadcast,
      });
    // Fail fast on a bad --broadcast/--interface/--peer before anything listens.
    if (config.discovery) targets();
    const staticPeers = config.peer.map((text) => parsePeerAddress(text, config.peerPort));

    // Peer links: authenticated; encrypted unless --insecure-plaintext-links.
    const security = await createLinkSecurity({
      identity,
      trust,
      settings: live.trust,
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
      ...live.accessLists(),
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

    const backendFor = await loadBackendMaker(config.openaiUrl);
    const metrics = new NodeMetrics();
    const llm = createMeshLlm({
      nodeId: identity.nodeId,
      settings: live.llm,
      bus: links,
      backend: backendFor(settings.current.ollamaUrl),
      logger: logger.child("llm"),
      events,
      observer: metrics.observer,
    });
    await llm.start();
    cleanups.push(() => llm.close());

    const store = ConversationStore.open(config.dataDir, {
      nodeId: identity.nodeId,
      logger: logger.child("store"),
      signer: await signerForIdentity(identity),
    });
    cleanups.push(() => store.close());
    const conversations = createConversationService({
      nodeId: identity.nodeId,
      settings: live.conversations,
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

    let discovery: Discovery | null = null;
    if (config.discovery) {
      const started = discovery = await startMeshDiscovery({
        config,
        nodeId: identity.nodeId,
        fingerprint: await fingerprintOfPublicKey(identity.publicKeyRaw),
        settings: live.discovery,
        hasLlm: () => llm.hasLlm,
        targets,
        links,
        logger: logger.child("discovery"),
      });
      // Says OFFLINE, so peers drop this node at once.
      cleanups.push(() => started.stop());
    }
    for (const peer of staticPeers) links.connect(peer.host, peer.port, { static: true });

    let httpPort = config.httpPort;
    const view = statusView({
      nodeId: identity.nodeId,
      startedAt,
      settings: live.current,
      httpPort: () => httpPort,
      links,
      discovery,
      llm,
      trust,
      encryptedLinks: !config.insecurePlaintextLinks,
      apiTokenRequired: () => tokens.configured && !isLoopbackHost(config.httpHost),
    });
    metrics.watch({
      llmHosts: () => {
        const local = llm.localStatus();
        const hosts = llm.hostStatus().filter((h) => h.capability?.available).map((h) => ({
          nodeId: h.nodeId,
          name: h.name,
          local: false,
          inFlight: h.capability!.inFlight,
          queued: h.capability!.queued,
        }));
        return local.available ? [{ ...local, local: true }, ...hosts] : hosts;
      },
      peers: () => view.status().peers,
      sync: () => conversations.syncStats(),
    });
    cleanups.push(wireReactions({
      settings,
      live,
      trust,
      stillTrusted: (id) => security.guard.stillTrusted(id),
      links,
      discovery,
      llm,
      conversations,
      view,
      events,
      backendFor,
    }));

    const httpLog = logger.child("http");
    const app = nodeHttpApp({
      config,
      nodeId: identity.nodeId,
      settings,
      tokens,
      trust,
      meshKeyConfigured: meshKey !== null,
      status: view.status,
      events,
      links,
      llm,
      conversations,
      conversationArchive: {
        search: (query, limit) => searchConversations(store, query, limit),
        archive: new ConversationArchive({
          store,
          node: () => ({ id: identity.nodeId, name: settings.current.name }),
          published: new ConversationEvents(events, store, identity.nodeId),
          syncNow: () => conversations.syncNow(),
        }),
      },
      logger: httpLog,
      metrics: () => metrics.render(),
    });
    const http = await serveHttp(app.fetch, config, httpLog);
    cleanups.push(() => http.close());
    httpPort = http.port;

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
      stop: () => cleanups.unwind(),
    };
  } catch (error) {
    await cleanups.unwind();
    throw error;
  }
}
