import { type ReadonlySignal, signal } from "@preact/signals";
import { api as httpApi, meshModelList, type NodeApi } from "../api/client.ts";
import type { ChatMessage, ConversationSummary, NodeStatus, PeerStatus } from "../api/types.ts";
import type { ConversationsModel } from "./conversations.ts";
import type { MeshModelsModel } from "./mesh_models.ts";
import type { SettingsModel } from "./settings.ts";
import type { StatusModel } from "./status.ts";
import type { TrustModel } from "./trust.ts";

export type Connection = "connecting" | "online" | "reconnecting";

export type LiveApi = Pick<NodeApi, "events">;

/** What the live link refreshes and feeds: the other models' loads and event handlers. */
export interface LiveDeps {
  api?: LiveApi;
  status: Pick<StatusModel, "loadStatus" | "applyNode" | "applyPeers">;
  meshModels: Pick<MeshModelsModel, "loadModels" | "applyModels">;
  settings: Pick<SettingsModel, "loadSettings">;
  trust: Pick<TrustModel, "loadTrust" | "followSecurity">;
  conversations: Pick<
    ConversationsModel,
    | "loadConversations"
    | "refreshCurrent"
    | "clearUnreachableNotice"
    | "applySummary"
    | "applyDeleted"
    | "applyMessage"
  >;
  /** Runs `retry` after `ms` (setTimeout by default). */
  later?: (retry: () => void, ms: number) => void;
  /** Where a malformed event is reported (console.warn by default). */
  warn?: (message: string, error: unknown) => void;
}

/**
 * The page's live link to the node: one event stream on /api/events. While it is down the page
 * says so; when it comes back (the node restarted) every snapshot is read again, since events
 * sent in between were missed.
 */
export interface LiveModel {
  readonly connection: ReadonlySignal<Connection>;
  /** Reads every snapshot; failures leave the previous state (the connection state tells why). */
  refreshSnapshots(): Promise<void>;
  /** Reads the snapshots and opens the event stream, reopening it when the node refuses it. */
  start(): void;
}

const RETRY_MS = 2000;

export function createLiveModel(
  {
    api = httpApi,
    status,
    meshModels,
    settings,
    trust,
    conversations,
    later = (retry, ms) => void setTimeout(retry, ms),
    warn = (message, error) => console.warn(message, error),
  }: LiveDeps,
): LiveModel {
  const connection = signal<Connection>("connecting");

  const refreshSnapshots = async () => {
    await Promise.allSettled([
      status.loadStatus(),
      meshModels.loadModels(),
      settings.loadSettings(),
      trust.loadTrust(),
    ]);
    // Conversations after status, so new ones are filed knowing this node's id.
    await Promise.allSettled([conversations.loadConversations(), conversations.refreshCurrent()]);
  };

  const handlers: Record<string, (data: unknown) => void> = {
    conversation: (data) => conversations.applySummary(data as ConversationSummary),
    "conversation-deleted": (data) => conversations.applyDeleted((data as { id: string }).id),
    message: (data) => {
      const { conversationId, message } = data as {
        conversationId: string;
        message: ChatMessage;
      };
      conversations.applyMessage(conversationId, message);
    },
    peers: (data) => status.applyPeers(data as PeerStatus[]),
    models: (data) => meshModels.applyModels(meshModelList(data)),
    node: (data) => {
      status.applyNode(data as NodeStatus);
      trust.followSecurity(data as NodeStatus);
    },
  };

  const connect = () => {
    const stream = api.events(Object.keys(handlers), {
      open() {
        connection.value = "online";
        conversations.clearUnreachableNotice();
        void refreshSnapshots();
      },
      error(closed) {
        connection.value = "reconnecting";
        // The stream retries by itself unless the node answered with an error status.
        if (closed) {
          stream.close();
          later(connect, RETRY_MS);
        }
      },
      event(type, data) {
        try {
          handlers[type](JSON.parse(data));
        } catch (error) {
          warn(`ignoring malformed "${type}" event`, error);
        }
      },
    });
  };

  return {
    connection,
    refreshSnapshots,
    start() {
      void refreshSnapshots();
      connect();
    },
  };
}
