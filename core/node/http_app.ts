/**
 * The node's HTTP application: the request guards first (origin guard, API token, JSON body
 * type, body limits in front of every route), then each concern's routes.
 */
import type { Hono } from "hono";
import type { Config } from "../config/schema.ts";
import type { ConversationService } from "../conversations/service.ts";
import type { EventHub } from "../events/hub.ts";
import { createApp } from "../http/app.ts";
import { conversationRoutes } from "../http/conversation_routes.ts";
import {
  type ArchiveRouteDeps,
  conversationArchiveRoutes,
} from "../http/conversation_archive_routes.ts";
import { llmRoutes } from "../http/llm_routes.ts";
import { metricsRoutes } from "../http/metrics_routes.ts";
import { nodeRoutes, type StatusView } from "../http/node_routes.ts";
import { pairingRoutes } from "../http/pairing_routes.ts";
import { pwaRoutes } from "../http/pwa_routes.ts";
import { pageAddresses } from "../net/page_addresses.ts";
import { Pairings } from "../security/pairing.ts";
import { privateFile } from "../security/private_file.ts";
import { requestGuards } from "../http/request_guards.ts";
import { trustRoutes } from "../http/trust_routes.ts";
import { uiRoutes } from "../http/ui_routes.ts";
import type { MeshLlmApi } from "../llm/mesh_llm.ts";
import type { Logger } from "../log/logger.ts";
import { OriginAllowList } from "../net/origin.ts";
import type { ApiTokens } from "../security/api_token.ts";
import type { TrustStore } from "../security/trust_store.ts";
import type { SettingsStore } from "../settings/settings.ts";
import { APP_VERSION } from "../version.ts";

export interface NodeHttpDeps {
  config: Pick<
    Config,
    | "allowOrigin"
    | "maxBodyBytes"
    | "maxChatBodyBytes"
    | "insecurePlaintextLinks"
    | "dataDir"
    | "httpHost"
  >;
  nodeId: string;
  settings: SettingsStore;
  tokens: ApiTokens;
  trust: TrustStore;
  meshKeyConfigured: boolean;
  status: () => StatusView;
  events: EventHub;
  /** What the trust routes do to links: dial an approved node now, drop a blocked one. */
  links: { retryNow(nodeId: string): void; disconnect(nodeId: string, reason: string): unknown };
  llm: MeshLlmApi;
  conversations: ConversationService;
  /** Search, export and import of conversations. */
  conversationArchive?: ArchiveRouteDeps;
  logger: Logger;
  /** The node's metrics in the Prometheus text format (GET /metrics). */
  metrics?: () => string;
}

/** This machine's addresses; none when the process may not read them (--allow-sys). */
function networkInterfaces(): Deno.NetworkInterfaceInfo[] {
  try {
    return Deno.networkInterfaces();
  } catch {
    return [];
  }
}

/** Distinct refusals logged at most; a page retrying in a loop must not flood the log. */
const MAX_LOGGED_REFUSALS = 256;

export function nodeHttpApp(deps: NodeHttpDeps): Hono {
  const { config, settings, logger } = deps;
  const loggedRefusals = new Set<string>();
  // Phones paired from Settings → "Use from your phone"; only hashes are kept.
  const pairings = new Pairings(privateFile(`${config.dataDir}/paired_devices.json`));
  return createApp([
    // First: every route below is behind the origin guard, API access and body limits.
    requestGuards({
      allowedOrigins: new OriginAllowList(config.allowOrigin),
      tokens: deps.tokens,
      limits: config,
      pairings,
      onOriginRefused: (reason) => {
        if (loggedRefusals.size >= MAX_LOGGED_REFUSALS || loggedRefusals.has(reason)) return;
        loggedRefusals.add(reason);
        logger.info("web page refused", { reason });
      },
    }),
    nodeRoutes({ status: deps.status, settings, events: deps.events }),
    trustRoutes({
      trust: deps.trust,
      mode: () => settings.current.trustMode,
      meshKeyConfigured: deps.meshKeyConfigured,
      plaintextLinks: config.insecurePlaintextLinks,
      onApproved: (id) => deps.links.retryNow(id),
      onBlocked: (id) => deps.links.disconnect(id, "blocked"),
      rotateToken: () => deps.tokens.rotate(),
    }),
    pairingRoutes({
      pairings,
      addresses: () =>
        pageAddresses(config.httpHost, deps.status().node.httpPort, networkInterfaces()),
    }),
    llmRoutes({
      llm: deps.llm,
      views: deps.llm.views,
      nodeId: deps.nodeId,
      settings: () => settings.current,
      version: APP_VERSION,
    }),
    // Before conversationRoutes: its /api/conversations/:id would take "search" for an id.
    ...(deps.conversationArchive ? [conversationArchiveRoutes(deps.conversationArchive)] : []),
    conversationRoutes(deps.conversations),
    ...(deps.metrics ? [metricsRoutes({ render: deps.metrics })] : []),
    pwaRoutes(),
    uiRoutes(),
  ], logger);
}
