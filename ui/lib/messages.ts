import type { ChatMessage, FailoverNote, MessageStats, ServedBy } from "../api/types.ts";

/**
 * Pure updates of a conversation's message list. The same message can arrive from the answer
 * stream and from live events in any order, so an update never moves a message backwards.
 */

/** True when `incoming` carries at least as much as `existing` (never undo a finished answer). */
function isNewer(existing: ChatMessage, incoming: ChatMessage): boolean {
  if (incoming.complete) return true;
  if (existing.complete) return false;
  return incoming.content.length >= existing.content.length;
}

/** Inserts a message or replaces the stored copy when the incoming one is at least as far along. */
export function upsertMessage(list: readonly ChatMessage[], incoming: ChatMessage): ChatMessage[] {
  const index = list.findIndex((message) => message.id === incoming.id);
  if (index === -1) return [...list, incoming];
  const existing = list[index];
  if (!isNewer(existing, incoming)) return list as ChatMessage[];
  const merged = { ...incoming, failover: incoming.failover ?? existing.failover };
  return list.map((message, i) => (i === index ? merged : message));
}

/**
 * Appends streamed text to an unfinished message, with the tokens counted so far when the
 * node sent them; a finished or unknown message is left alone.
 */
export function appendDelta(
  list: readonly ChatMessage[],
  messageId: string,
  content: string,
  stats?: MessageStats,
): ChatMessage[] {
  const index = list.findIndex((message) => message.id === messageId);
  if (index === -1 || list[index].complete) return list as ChatMessage[];
  return list.map((message, i) =>
    i === index
      ? { ...message, content: message.content + content, ...(stats ? { stats } : {}) }
      : message
  );
}

/** Names the host and model writing an unfinished answer (from its first token on). */
export function markServing(
  list: readonly ChatMessage[],
  messageId: string,
  servedBy: ServedBy,
): ChatMessage[] {
  return list.map((message) =>
    message.id === messageId && !message.complete ? servedByHost(message, servedBy) : message
  );
}

/** Records that the answer switched host: `failover` keeps the host it left and why. */
export function markFailover(
  list: readonly ChatMessage[],
  messageId: string,
  from: FailoverNote,
  to: ServedBy,
): ChatMessage[] {
  return list.map((message) =>
    message.id === messageId ? { ...servedByHost(message, to), failover: from } : message
  );
}

function servedByHost(message: ChatMessage, host: ServedBy): ChatMessage {
  return {
    ...message,
    model: host.model,
    hostInfo: {
      ...message.hostInfo,
      nodeId: host.nodeId,
      nodeName: host.nodeName,
      model: host.model,
      isLlmHost: true,
    },
  };
}

/** The id of the last answer in the list, the one Regenerate replaces. */
export function lastResponseId(list: readonly ChatMessage[]): string | null {
  for (let i = list.length - 1; i >= 0; i--) {
    if (list[i].messageType === "Response") return list[i].id;
  }
  return null;
}

/** Puts a message as given (replacing the stored copy), e.g. a new answer that Regenerate starts. */
export function putMessage(list: readonly ChatMessage[], message: ChatMessage): ChatMessage[] {
  const index = list.findIndex((existing) => existing.id === message.id);
  if (index === -1) return [...list, message];
  return list.map((existing, i) => (i === index ? message : existing));
}

/**
 * Takes the server's list as the truth for which messages exist and in what order, keeping a
 * local copy where it is further along (the server may not have saved the last words yet).
 */
export function reconcileMessages(
  local: readonly ChatMessage[],
  server: readonly ChatMessage[],
): ChatMessage[] {
  const localById = new Map(local.map((message) => [message.id, message]));
  return server.map((message) => {
    const mine = localById.get(message.id);
    return mine && !isNewer(mine, message) ? mine : message;
  });
}
