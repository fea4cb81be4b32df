import { signal } from "@preact/signals";
import { meshModelList } from "../api/client.ts";
import type { ChatMessage, ConversationSummary, NodeStatus, PeerStatus } from "../api/types.ts";
import {
  applyDeleted,
  applyMessage,
  applySummary,
  clearUnreachableNotice,
  loadConversations,
  refreshCurrent,
} from "./conversations.ts";
import { applyModels, loadModels } from "./mesh_models.ts";
import { loadSettings } from "./settings.ts";
import { applyNode, applyPeers, loadStatus } from "./status.ts";
import { followSecurity, loadTrust } from "./trust.ts";

/**
 * The page's live link to the node: one EventSource on /api/events. While it is down the page
 * says so; when it comes back (the node restarted) every snapshot is read again, since events
 * sent in between were missed.
 */
export type Connection = "connecting" | "online" | "reconnecting";
export const connection = signal<Connection>("connecting");

const RETRY_MS = 2000;

function on<T>(source: EventSource, type: string, apply: (data: T) => void): void {
  source.addEventListener(type, (event) => {
    try {
      apply(JSON.parse((event as MessageEvent<string>).data) as T);
    } catch (error) {
      console.warn(`ignoring malformed "${type}" event`, error);
    }
  });
}

/** Reads every snapshot; failures leave the previous state (the connection state tells why). */
export async function refreshSnapshots(): Promise<void> {
  await Promise.allSettled([loadStatus(), loadModels(), loadSettings(), loadTrust()]);
  // Conversations after status, so new ones are filed knowing this node's id.
  await Promise.allSettled([loadConversations(), refreshCurrent()]);
}

export function startLiveUpdates(): void {
  let source: EventSource;
  const connect = () => {
    source = new EventSource("/api/events");
    source.onopen = () => {
      connection.value = "online";
      clearUnreachableNotice();
      void refreshSnapshots();
    };
    source.onerror = () => {
      connection.value = "reconnecting";
      // EventSource retries by itself unless the server answered with an error status.
      if (source.readyState === EventSource.CLOSED) {
        source.close();
        setTimeout(connect, RETRY_MS);
      }
    };
    on<ConversationSummary>(source, "conversation", applySummary);
    on<{ id: string }>(source, "conversation-deleted", (data) => applyDeleted(data.id));
    on<{ conversationId: string; message: ChatMessage }>(
      source,
      "message",
      (data) => applyMessage(data.conversationId, data.message),
    );
    on<PeerStatus[]>(source, "peers", applyPeers);
    on<unknown>(source, "models", (data) => applyModels(meshModelList(data)));
    on<NodeStatus>(source, "node", (status) => {
      applyNode(status);
      followSecurity(status);
    });
  };
  void refreshSnapshots();
  connect();
}
