/** How stored conversations look to the API and the UI. Pure. */
import type { StoredSummary } from "../store/store.ts";
import { hlcWallMs } from "../time/hlc.ts";
import type {
  ChatMessage,
  Conversation,
  ConversationHeader,
  ConversationSummary,
  ConversationThread,
  ThreadView,
} from "../model/conversation.ts";
import { shownBranch } from "../model/branches.ts";
import { msToRfc3339, rfc3339ToMs } from "../model/rfc3339.ts";

const PREVIEW_CHARS = 120;

/** Last activity: creation, the last header edit, or the newest message. */
export function updatedAt(header: ConversationHeader, lastMessageHlc: string | null): string {
  const times = [rfc3339ToMs(header.createdAt), hlcWallMs(header.hlc)];
  if (lastMessageHlc) times.push(hlcWallMs(lastMessageHlc));
  return msToRfc3339(Math.max(...times.filter((t) => Number.isFinite(t))));
}

export function previewOf(content: string): string {
  const line = content.trim().split(/\s+/).join(" ");
  return line.length <= PREVIEW_CHARS ? line : `${line.slice(0, PREVIEW_CHARS - 1)}…`;
}

/**
 * Whose a conversation is shown as: its origin node, except history imported from another
 * device's files, which this node owns but shows as received from that device (read-only, like
 * any received conversation). `hostInfo` names that device (see legacy_files.ts).
 */
export function shownOrigin(
  header: ConversationHeader,
  selfId: string,
): { originNode: string; originName: string; readOnly: boolean } {
  const device = header.importedFrom?.device;
  return {
    originNode: device ? header.hostInfo.nodeId : header.originNode,
    originName: device?.name ?? header.hostInfo.nodeName,
    readOnly: device !== undefined || header.originNode !== selfId,
  };
}

/**
 * A conversation's list row. With versions, the count and preview are those of the shown branch
 * (`messagesOf` reads its messages; only conversations that branch pay for it).
 */
export function toSummary(
  stored: StoredSummary,
  selfId: string,
  messagesOf?: (conversationId: string) => ChatMessage[],
): ConversationSummary {
  const { header, thread } = stored;
  if (messagesOf && thread && Object.keys(thread.parents).length > 0) {
    const { path } = shownBranch(messagesOf(header.id), thread);
    const last = path.findLast((message) => message.content !== "");
    stored = { ...stored, messageCount: path.length, preview: last?.content ?? "" };
  }
  return {
    id: header.id,
    title: header.title,
    ...shownOrigin(header, selfId),
    createdAt: header.createdAt,
    updatedAt: updatedAt(header, stored.lastMessageHlc),
    messageCount: stored.messageCount,
    preview: previewOf(stored.preview),
    shared: header.shared,
    ...(stored.thread?.forkedFrom ? { forkedFrom: stored.thread.forkedFrom } : {}),
    ...(stored.thread ? { threadHlc: stored.thread.hlc } : {}),
  };
}

/** The thread of a conversation as the API shows it (empty when it has none yet). */
export function threadView(thread: ConversationThread | undefined): ThreadView {
  if (!thread) return { parents: {}, selected: {}, settings: {} };
  const { parents, selected, settings, forkedFrom, hlc } = thread;
  return { parents, selected, settings, ...(forkedFrom ? { forkedFrom } : {}), hlc };
}

export function toConversation(
  header: ConversationHeader,
  messages: ChatMessage[],
  selfId: string,
  thread?: ConversationThread,
): Conversation {
  const view = threadView(thread);
  const { path, versions } = shownBranch(messages, view);
  const last = messages.reduce<string | null>(
    (max, m) => (max === null || m.createdHlc > max ? m.createdHlc : max),
    null,
  );
  return {
    id: header.id,
    title: header.title,
    ...shownOrigin(header, selfId),
    hostInfo: header.hostInfo,
    createdAt: header.createdAt,
    updatedAt: updatedAt(header, last),
    shared: header.shared,
    messages,
    path: path.map((message) => message.id),
    versions,
    thread: view,
  };
}

export interface ConversationList {
  local: ConversationSummary[];
  received: { peer: { id: string; name: string }; conversations: ConversationSummary[] }[];
}

const newestFirst = (a: ConversationSummary, b: ConversationSummary) =>
  a.updatedAt === b.updatedAt ? (a.id < b.id ? -1 : 1) : a.updatedAt < b.updatedAt ? 1 : -1;

/** This node's conversations, and those received grouped by the node they come from; newest first. */
export function groupSummaries(summaries: ConversationSummary[]): ConversationList {
  const local = summaries.filter((s) => !s.readOnly).sort(newestFirst);
  const byOrigin = new Map<string, ConversationSummary[]>();
  for (const summary of summaries.filter((s) => s.readOnly)) {
    const group = byOrigin.get(summary.originNode);
    if (group) group.push(summary);
    else byOrigin.set(summary.originNode, [summary]);
  }
  const received = [...byOrigin.entries()].map(([id, conversations]) => {
    conversations.sort(newestFirst);
    return { peer: { id, name: conversations[0].originName }, conversations };
  });
  received.sort((a, b) => newestFirst(a.conversations[0], b.conversations[0]));
  return { local, received };
}
