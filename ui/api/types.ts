/**
 * Shapes of the node's HTTP API as the page sees them (same origin). They are the server's own
 * types, imported type-only (erased from the bundle), so a change on either side that breaks
 * the contract fails `deno check` instead of the page.
 */
export type {
  Load,
  NodeView as NodeStatus,
  PeerView as PeerStatus,
  SecuritySummary,
  StatusView as Status,
} from "../../core/http/node_routes.ts";
export type { TrustView } from "../../core/http/trust_routes.ts";
export type { MeshModel, MeshModelHost as ModelHost } from "../../core/llm/mesh_model.ts";
export type { Settings } from "../../core/settings/settings.ts";
export type {
  ChatMessage,
  Conversation,
  ConversationSummary,
  FailoverNote,
  FailoverReason,
  HostInfo,
  MessageStats,
  ServedBy,
} from "../../core/model/conversation.ts";
export type { ConversationList } from "../../core/conversations/views.ts";
export type { AskEvent as StreamEvent } from "../../core/conversations/ask_event.ts";
import type { PeerView } from "../../core/http/node_routes.ts";
import type { ChatError } from "../../core/llm/chat.ts";

export type PeerState = PeerView["state"];
export type StreamErrorKind = ChatError["kind"];

import type { TrustView } from "../../core/http/trust_routes.ts";
export type TrustNode = TrustView["nodes"][number];
export type TrustAlert = TrustView["alerts"][number];
export type TrustMode = TrustView["mode"];
/** What the page can decide about a node (POST /api/peers/:id/<action>). */
export type PeerAction = "approve" | "reject" | "block" | "unblock";
