import { computed, signal } from "@preact/signals";
import { api, ApiError, UnreachableError } from "../api/client.ts";
import type {
  ChatMessage,
  Conversation,
  ConversationSummary,
  StreamErrorKind,
  StreamEvent,
} from "../api/types.ts";
import {
  type ConversationEntry,
  entriesFromList,
  entryFromSummary,
  groupConversations,
} from "../lib/conversation_groups.ts";
import { describeStreamError } from "../lib/errors.ts";
import {
  appendDelta,
  markFailover,
  putMessage,
  reconcileMessages,
  upsertMessage,
} from "../lib/messages.ts";
import { effectiveModel } from "./mesh_models.ts";
import { node, peers } from "./status.ts";
import { navigate, search } from "./view.ts";

/** A problem shown in place, under the conversation it belongs to. */
export type ChatNotice = {
  conversationId: string | null;
  kind: StreamErrorKind | "unreachable" | "failed";
  text: string;
  /** The answer that failed, when there is one: the notice is shown on it. */
  messageId?: string;
};

type ActiveStream = { conversationId: string; messageId: string | null; abort: AbortController };

/** Every conversation the sidebar knows: this device's and those received from peers. */
export const entries = signal<Map<string, ConversationEntry>>(new Map());
export const listLoaded = signal(false);
/** The open conversation (null on a fresh "New chat") and its messages. */
export const currentId = signal<string | null>(null);
export const current = signal<Conversation | null>(null);
export const messages = signal<ChatMessage[]>([]);
export const loadingConversation = signal(false);
export const notice = signal<ChatNotice | null>(null);
export const activeStream = signal<ActiveStream | null>(null);

export const sidebarGroups = computed(() =>
  groupConversations(entries.value.values(), search.value, peers.value)
);

/** Received conversations cannot be written to here; "Continue here" forks them. */
export const currentReadOnly = computed(() => {
  const id = currentId.value;
  if (!id) return false;
  const entry = entries.value.get(id);
  if (entry) return entry.readOnly || entry.receivedFrom !== null;
  return current.value?.readOnly ?? false;
});

export const isStreamingHere = computed(() =>
  activeStream.value !== null && activeStream.value.conversationId === currentId.value
);

function describe(error: unknown): ChatNotice["kind"] {
  return error instanceof UnreachableError ? "unreachable" : "failed";
}

function showError(conversationId: string | null, error: unknown): void {
  const kind = describe(error);
  const text = kind === "unreachable"
    ? describeStreamError("unreachable", "")
    : error instanceof Error
    ? error.message
    : String(error);
  notice.value = { conversationId, kind, text };
}

export async function loadConversations(): Promise<void> {
  const list = await api.conversations();
  entries.value = new Map(entriesFromList(list).map((entry) => [entry.id, entry]));
  listLoaded.value = true;
}

/** Opens a conversation by id, or the empty "New chat" view for null. */
export async function openConversation(id: string | null): Promise<void> {
  if (id === currentId.value && (id === null || current.value?.id === id)) return;
  currentId.value = id;
  current.value = null;
  messages.value = [];
  notice.value = null;
  if (id === null) return;
  loadingConversation.value = true;
  try {
    const conversation = await api.conversation(id);
    if (currentId.value !== id) return;
    current.value = conversation;
    messages.value = reconcileMessages(messages.value, conversation.messages);
  } catch (error) {
    if (currentId.value !== id) return;
    if (error instanceof ApiError && error.status === 404) {
      notice.value = {
        conversationId: id,
        kind: "failed",
        text: "This conversation no longer exists.",
      };
    } else showError(id, error);
  } finally {
    if (currentId.value === id) loadingConversation.value = false;
  }
}

/** Re-reads the open conversation (after a reconnect or a finished answer). */
export async function refreshCurrent(): Promise<void> {
  const id = currentId.value;
  if (!id) return;
  try {
    const conversation = await api.conversation(id);
    if (currentId.value !== id) return;
    current.value = conversation;
    if (activeStream.value?.conversationId !== id) {
      messages.value = reconcileMessages(messages.value, conversation.messages);
    }
  } catch {
    // The live connection shows the node as unreachable; nothing to add here.
  }
}

/** A "node unreachable" notice is over once the live link is back. */
export function clearUnreachableNotice(): void {
  if (notice.value?.kind === "unreachable") notice.value = null;
}

export function newChat(): void {
  navigate({ view: "chat", conversationId: null });
}

function handleStreamEvent(
  conversationId: string,
  abort: AbortController,
  event: StreamEvent,
): void {
  const here = currentId.value === conversationId;
  switch (event.type) {
    case "question":
      if (here) messages.value = upsertMessage(messages.value, event.message);
      break;
    case "response": {
      const stream = activeStream.value;
      if (stream?.abort === abort) activeStream.value = { ...stream, messageId: event.message.id };
      if (here) messages.value = putMessage(messages.value, event.message);
      break;
    }
    case "delta":
      if (here) messages.value = appendDelta(messages.value, event.messageId, event.content);
      break;
    case "failover":
      if (here) {
        messages.value = markFailover(messages.value, event.messageId, event.from, event.to);
      }
      break;
    case "done":
      if (here) messages.value = putMessage(messages.value, event.message);
      break;
    case "error":
      notice.value = {
        conversationId,
        kind: event.kind,
        text: describeStreamError(event.kind, event.error),
        messageId: event.messageId,
      };
      if (here && event.messageId) {
        messages.value = messages.value.map((message) =>
          message.id === event.messageId
            ? { ...message, complete: true, error: message.error ?? event.error }
            : message
        );
      }
      break;
  }
}

/** Runs one answer stream; resolves true when the node took the request (any event arrived). */
async function runStream(
  conversationId: string,
  start: (signal: AbortSignal, onEvent: (event: StreamEvent) => void) => Promise<void>,
): Promise<boolean> {
  const abort = new AbortController();
  activeStream.value = { conversationId, messageId: null, abort };
  notice.value = null;
  let stopped = false;
  let accepted = false;
  try {
    await start(abort.signal, (event) => {
      accepted = true;
      handleStreamEvent(conversationId, abort, event);
    });
  } catch (error) {
    if (abort.signal.aborted) {
      stopped = true;
    } else {
      // Includes 409: read-only (received) or another answer is still being written here.
      showError(conversationId, error);
    }
  }
  const last = activeStream.value;
  const messageId = last?.abort === abort ? last.messageId : null;
  if (last?.abort === abort) activeStream.value = null;
  if (stopped) {
    // The server keeps the partial answer as stopped; show the same until its copy arrives.
    if (currentId.value === conversationId && messageId) {
      messages.value = messages.value.map((message) =>
        message.id === messageId ? { ...message, complete: true, stopped: true } : message
      );
    }
    return true;
  }
  if (currentId.value === conversationId) await refreshCurrent();
  return accepted;
}

/**
 * Sends a question in the open conversation, creating one first on a fresh "New chat".
 * Resolves false when the question never reached the node, so the page can give it back.
 */
export async function send(text: string): Promise<boolean> {
  const content = text.trim();
  if (!content || activeStream.value) return false;
  let id = currentId.value;
  if (!id) {
    try {
      const created = await api.createConversation();
      id = created.id;
      entries.value = new Map(entries.value).set(id, {
        ...summaryOf(created),
        receivedFrom: null,
      });
      currentId.value = id;
      current.value = created;
      messages.value = [];
      navigate({ view: "chat", conversationId: id });
    } catch (error) {
      showError(null, error);
      return false;
    }
  }
  const conversationId = id;
  return await runStream(
    conversationId,
    (signal, onEvent) => api.ask(conversationId, content, effectiveModel.value, signal, onEvent),
  );
}

export async function regenerate(): Promise<void> {
  const id = currentId.value;
  if (!id || activeStream.value) return;
  await runStream(
    id,
    (signal, onEvent) => api.regenerate(id, effectiveModel.value, signal, onEvent),
  );
}

/**
 * Stops the answer being written: closing the stream is enough for the node, and the explicit
 * stop call covers a proxy that keeps the upstream request open.
 */
export function stop(): void {
  const stream = activeStream.value;
  if (!stream) return;
  stream.abort.abort();
  api.stopAnswer(stream.conversationId).catch(() => {
    // 404 once the node has already stopped it on disconnect: nothing left to stop.
  });
}

export async function rename(id: string, title: string): Promise<void> {
  const trimmed = title.trim();
  if (!trimmed) return;
  try {
    const updated = await api.updateConversation(id, { title: trimmed });
    if (current.value?.id === id) {
      current.value = { ...current.value, title: updated.title ?? trimmed };
    }
    const entry = entries.value.get(id);
    if (entry) entries.value = new Map(entries.value).set(id, { ...entry, title: trimmed });
  } catch (error) {
    showError(id, error);
  }
}

export async function setShared(id: string, shared: boolean): Promise<void> {
  try {
    await api.updateConversation(id, { shared });
    if (current.value?.id === id) current.value = { ...current.value, shared };
    const entry = entries.value.get(id);
    if (entry) entries.value = new Map(entries.value).set(id, { ...entry, shared });
  } catch (error) {
    showError(id, error);
  }
}

export async function remove(id: string): Promise<void> {
  try {
    await api.deleteConversation(id);
    applyDeleted(id);
  } catch (error) {
    showError(id, error);
  }
}

/** "Continue here": copies a received conversation into a new local one and opens it. */
export async function fork(id: string): Promise<void> {
  try {
    const copy = await api.forkConversation(id);
    entries.value = new Map(entries.value).set(copy.id, { ...summaryOf(copy), receivedFrom: null });
    navigate({ view: "chat", conversationId: copy.id });
  } catch (error) {
    showError(id, error);
  }
}

// Live events -----------------------------------------------------------------------------

export function applySummary(summary: ConversationSummary): void {
  const existing = entries.value.get(summary.id);
  const entry = entryFromSummary(summary, node.value?.id ?? null, existing);
  entries.value = new Map(entries.value).set(summary.id, entry);
  if (current.value?.id === summary.id) {
    current.value = { ...current.value, title: summary.title, shared: summary.shared };
  }
}

export function applyDeleted(id: string): void {
  if (entries.value.has(id)) {
    const next = new Map(entries.value);
    next.delete(id);
    entries.value = next;
  }
  if (currentId.value === id) navigate({ view: "chat", conversationId: null }, { replace: true });
}

export function applyMessage(conversationId: string, message: ChatMessage): void {
  if (currentId.value !== conversationId) return;
  // The answer stream of this page is the authority for the message it is growing.
  const stream = activeStream.value;
  if (stream && stream.messageId === message.id && !message.complete) return;
  messages.value = upsertMessage(messages.value, message);
}

function summaryOf(conversation: Conversation): ConversationSummary {
  const last = conversation.messages.at(-1);
  return {
    id: conversation.id,
    title: conversation.title,
    originNode: conversation.originNode,
    originName: conversation.originName,
    createdAt: conversation.createdAt,
    updatedAt: conversation.updatedAt,
    messageCount: conversation.messages.length,
    preview: last?.content ?? "",
    shared: conversation.shared,
    readOnly: conversation.readOnly,
  };
}
