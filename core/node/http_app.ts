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
import { llmRoutes } from "../http/llm_routes.ts";
import { modelViewsOf } from "../llm/model_views.ts";
import { metricsRoutes } from "../http/metrics_routes.ts";
import { nodeRoutes, type StatusView } from "../http/node_routes.ts";
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
    "allowOrigin" | "maxBodyBytes" | "maxChatBodyBytes" | "insecurePlaintextLinks"
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
  logger: Logger;
  /** The node's metrics in the Prometheus text format (GET /metrics). */
  metrics?: () => string;
}

/** Distinct refusals logged at most; a page retrying in a loop must not flood the log. */
const MAX_LOGGED_REFUSALS = 256;

export function nodeHttpApp(deps: NodeHttpDeps): Hono {
  const { config, settings, logger } = deps;
  const loggedRefusals = new Set<string>();
  return createApp([
    // First: every route below is behind the origin guard, API access and body limits.
    requestGuards({
      allowedOrigins: new OriginAllowList(config.allowOrigin),
      tokens: deps.tokens,
      limits: config,
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
    llmRoutes({
      llm: deps.llm,
      views: modelViewsOf(deps.llm),
      nodeId: deps.nodeId,
      settings: () => settings.current,
      version: APP_VERSION,
    }),
    conversationRoutes(deps.conversations),
    ...(deps.metrics ? [metricsRoutes({ render: deps.metrics })] : []),
    uiRoutes(),
  ], logger);
}
