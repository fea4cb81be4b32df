import { computed, type ReadonlySignal, signal } from "@preact/signals";
import { api as httpApi, ApiError, type NodeApi, UnreachableError } from "../api/client.ts";
import type {
  ChatMessage,
  Conversation,
  ConversationSummary,
  NodeStatus,
  PeerStatus,
  StreamErrorKind,
  StreamEvent,
} from "../api/types.ts";
import {
  type ConversationEntry,
  entriesFromList,
  entryFromSummary,
  groupConversations,
  type SidebarGroups,
} from "../lib/conversation_groups.ts";
import { describeStreamError, type ErrorContext, errorText } from "../lib/errors.ts";
import {
  appendDelta,
  lastResponseId,
  markFailover,
  markServing,
  putMessage,
  reconcileMessages,
  upsertMessage,
} from "../lib/messages.ts";
import type { Route } from "../lib/route.ts";
import { shownBranch } from "../../core/model/branches.ts";
import {
  parentIn,
  placeNewVersion,
  selectShown,
  type SettingsPatch,
  threadOf,
} from "../lib/versions.ts";

/** A problem shown in place, under the conversation it belongs to. */
export type ChatNotice = {
  conversationId: string | null;
  kind: StreamErrorKind | "unreachable" | "failed";
  text: string;
  /** The answer that failed, when there is one: the notice is shown on it. */
  messageId?: string;
};

type ActiveStream = { conversationId: string; messageId: string | null; abort: AbortController };

export type ConversationsApi = Pick<
  NodeApi,
  | "conversations"
  | "conversation"
  | "createConversation"
  | "updateConversation"
  | "deleteConversation"
  | "forkConversation"
  | "stopAnswer"
  | "ask"
  | "regenerate"
  | "edit"
  | "selectVersion"
  | "titleByModel"
>;

/** What the conversations model reads from the rest of the page. */
export interface ConversationsDeps {
  api?: ConversationsApi;
  /** This node (its id files new conversations as own or received). */
  node: ReadonlySignal<NodeStatus | null>;
  peers: ReadonlySignal<PeerStatus[]>;
  /** The sidebar's search text. */
  search: ReadonlySignal<string>;
  /** The model the next question asks for (null = Auto). */
  model: ReadonlySignal<string | null>;
  navigate(next: Route, options?: { replace?: boolean }): void;
  /** Whether a new chat is retitled by the model once its first answer is in. */
  modelTitles?: () => boolean;
  /** What the page knows of the mesh, to explain a failed answer (which hosts exist). */
  errorContext?: () => ErrorContext;
}

/** The sidebar's conversations, the open one with its messages, and the answer being written. */
export interface ConversationsModel {
  /** Every conversation the sidebar knows: this device's and those received from peers. */
  readonly entries: ReadonlySignal<ReadonlyMap<string, ConversationEntry>>;
  readonly listLoaded: ReadonlySignal<boolean>;
  readonly sidebarGroups: ReadonlySignal<SidebarGroups>;
  /** The open conversation (null on a fresh "New chat") and its messages. */
  readonly currentId: ReadonlySignal<string | null>;
  readonly current: ReadonlySignal<Conversation | null>;
  /** The sidebar's entry of the open conversation, when it has one. */
  readonly currentEntry: ReadonlySignal<ConversationEntry | undefined>;
  readonly messages: ReadonlySignal<ChatMessage[]>;
  /** The last answer of the open conversation, the one Regenerate replaces. */
  readonly lastAnswerId: ReadonlySignal<string | null>;
  /** The messages shown: the selected version at each branch point (`messages` has them all). */
  readonly shown: ReadonlySignal<ChatMessage[]>;
  /** Per shown message that has other versions: every version's id, oldest first. */
  readonly versions: ReadonlySignal<Readonly<Record<string, string[]>>>;
  /** The open chat's own model: a name, "auto", or null when it has none (the default applies). */
  readonly chatModel: ReadonlySignal<string | null>;
  /** The model the next question of the open chat asks (null = Auto). */
  readonly askModel: ReadonlySignal<string | null>;
  readonly loadingConversation: ReadonlySignal<boolean>;
  /** The last problem, whichever conversation it belongs to. */
  readonly notice: ReadonlySignal<ChatNotice | null>;
  /** The last problem when it belongs to the open conversation. */
  readonly currentNotice: ReadonlySignal<ChatNotice | null>;
  /** The answer of the open conversation that carries `currentNotice`, when it is listed. */
  readonly noticeMessageId: ReadonlySignal<string | null>;
  /** Received conversations cannot be written to here; "Continue here" forks them. */
  readonly currentReadOnly: ReadonlySignal<boolean>;
  readonly isStreamingHere: ReadonlySignal<boolean>;
  /**
   * Conversations whose answer this page is receiving now: one answer per conversation (the
   * node refuses a second while one is written), any number of conversations at once.
   */
  readonly writingIds: ReadonlySignal<ReadonlySet<string>>;

  loadConversations(): Promise<void>;
  /** Opens a conversation by id, or the empty "New chat" view for null. */
  openConversation(id: string | null): Promise<void>;
  /** Re-reads the open conversation (after a reconnect or a finished answer). */
  refreshCurrent(): Promise<void>;
  /** A "node unreachable" notice is over once the live link is back. */
  clearUnreachableNotice(): void;
  newChat(): void;
  /**
   * Sends a question in the open conversation, creating one first on a fresh "New chat".
   * Resolves false when the question never reached the node, so the page can give it back.
   */
  send(text: string): Promise<boolean>;
  regenerate(): Promise<void>;
  /** Edit and resend: a new version of question `messageId`, answered afresh. */
  edit(messageId: string, text: string): Promise<boolean>;
  /** Shows another version of a message (and what follows it), on every device. */
  selectVersion(messageId: string): Promise<void>;
  /** Saves the open chat's settings (`null` removes one); resolves true when the node took them. */
  saveChatSettings(patch: SettingsPatch): Promise<boolean>;
  /** The model picker: the open chat's model (a new chat's first question takes it along). */
  pickModel(name: string | null): Promise<void>;
  /**
   * Stops the answer being written: closing the stream is enough for the node, and the
   * explicit stop call covers a proxy that keeps the upstream request open.
   */
  stop(): void;
  rename(id: string, title: string): Promise<void>;
  setShared(id: string, shared: boolean): Promise<void>;
  remove(id: string): Promise<void>;
  /** "Continue here": copies a received conversation into a new local one and opens it. */
  fork(id: string): Promise<void>;
  // Live events
  applySummary(summary: ConversationSummary): void;
  applyDeleted(id: string): void;
  applyMessage(conversationId: string, message: ChatMessage): void;
}

export function createConversationsModel(
  { api = httpApi, node, peers, search, model, navigate, errorContext, modelTitles }:
    ConversationsDeps,
): ConversationsModel {
  const entries = signal<Map<string, ConversationEntry>>(new Map());
  const listLoaded = signal(false);
  const currentId = signal<string | null>(null);
  const current = signal<Conversation | null>(null);
  const messages = signal<ChatMessage[]>([]);
  const loadingConversation = signal(false);
  const notice = signal<ChatNotice | null>(null);
  /** The answer streams this page reads, by conversation. */
  const activeStreams = signal<ReadonlyMap<string, ActiveStream>>(new Map());
  /**
   * The messages each answer stream has written, whether or not its chat is open: a chat opened
   * again mid-answer shows every word, not the node's last saved copy plus what came after.
   */
  const liveCopies = new Map<string, ChatMessage[]>();
  const streamOf = (conversationId: string | null) =>
    conversationId === null ? undefined : activeStreams.value.get(conversationId);
  function setStream(conversationId: string, stream: ActiveStream | null) {
    const next = new Map(activeStreams.value);
    if (stream) next.set(conversationId, stream);
    else next.delete(conversationId);
    activeStreams.value = next;
  }

  const currentEntry = computed(() => {
    const id = currentId.value;
    return id ? entries.value.get(id) : undefined;
  });
  const currentNotice = computed(() => {
    const problem = notice.value;
    return problem && problem.conversationId === currentId.value ? problem : null;
  });
  const isStreamingHere = computed(() => streamOf(currentId.value) !== undefined);
  /** A new chat's model pick, taken along by its first question. */
  const pendingModel = signal<string | null>(null);
  const branch = computed(() => shownBranch(messages.value, threadOf(current.value)));
  const chatModel = computed(() =>
    currentId.value ? threadOf(current.value).settings.model ?? null : pendingModel.value
  );
  const askModel = computed(() => chatModel.value ?? model.value);
  /** Updates the open conversation's thread in place (the node's copy follows). */
  function setThread(id: string, update: (thread: ReturnType<typeof threadOf>) => typeof thread) {
    const open = current.value;
    if (open?.id === id) current.value = { ...open, thread: update(threadOf(open)) };
  }

  function showError(conversationId: string | null, error: unknown): void {
    const kind = error instanceof UnreachableError ? "unreachable" : "failed";
    const text = kind === "unreachable" ? describeStreamError("unreachable", "") : errorText(error);
    notice.value = { conversationId, kind, text };
  }

  function putEntry(entry: ConversationEntry): void {
    entries.value = new Map(entries.value).set(entry.id, entry);
  }

  async function openConversation(id: string | null): Promise<void> {
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
      const local = liveCopies.get(id) ?? messages.value;
      messages.value = reconcileMessages(local, conversation.messages);
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

  async function refreshCurrent(): Promise<void> {
    const id = currentId.value;
    if (!id) return;
    try {
      const conversation = await api.conversation(id);
      if (currentId.value !== id) return;
      current.value = conversation;
      if (!streamOf(id)) {
        messages.value = reconcileMessages(messages.value, conversation.messages);
      }
    } catch {
      // The live connection shows the node as unreachable; nothing to add here.
    }
  }

  function handleStreamEvent(
    conversationId: string,
    abort: AbortController,
    event: StreamEvent,
  ): void {
    const here = currentId.value === conversationId;
    // The copy of this stream only: an event of a stream already replaced changes nothing there.
    const live = streamOf(conversationId)?.abort === abort
      ? liveCopies.get(conversationId)
      : undefined;
    /** Applies a change to the stream's own copy, and to the page when its chat is open. */
    const update = (change: (list: ChatMessage[]) => ChatMessage[]) => {
      if (live) liveCopies.set(conversationId, change(live));
      if (here) messages.value = change(messages.value);
    };
    switch (event.type) {
      case "question":
        update((list) => upsertMessage(list, event.message));
        break;
      case "response": {
        const stream = streamOf(conversationId);
        if (stream?.abort === abort) {
          setStream(conversationId, { ...stream, messageId: event.message.id });
        }
        update((list) => putMessage(list, event.message));
        break;
      }
      case "serving":
        update((list) => markServing(list, event.messageId, event.servedBy));
        break;
      case "delta":
        update((list) => appendDelta(list, event.messageId, event.content, event.stats));
        break;
      case "failover":
        update((list) => markFailover(list, event.messageId, event.from, event.to));
        break;
      case "done":
        update((list) => putMessage(list, event.message));
        break;
      case "error":
        notice.value = {
          conversationId,
          kind: event.kind,
          text: describeStreamError(event.kind, event.error, errorContext?.()),
          messageId: event.messageId,
        };
        if (event.messageId) {
          update((list) =>
            list.map((message) =>
              message.id === event.messageId
                ? { ...message, complete: true, error: message.error ?? event.error }
                : message
            )
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
    setStream(conversationId, { conversationId, messageId: null, abort });
    liveCopies.set(conversationId, []);
    // Another chat's problem stays until that chat is answered again.
    const earlier = notice.value?.conversationId;
    if (earlier === conversationId || earlier === null) notice.value = null;
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
    const last = streamOf(conversationId);
    const messageId = last?.abort === abort ? last.messageId : null;
    if (last?.abort === abort) {
      setStream(conversationId, null);
      liveCopies.delete(conversationId);
    }
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

  /** Asks the node for a short title by the model; the old title stays if none comes. */
  async function retitle(id: string): Promise<void> {
    try {
      const { title } = await api.titleByModel(id);
      const entry = entries.value.get(id);
      if (entry) putEntry({ ...entry, title });
      if (current.value?.id === id) current.value = { ...current.value, title };
    } catch {
      // No model answered: the title made from the question is a fine title.
    }
  }

  function applyDeleted(id: string): void {
    if (entries.value.has(id)) {
      const next = new Map(entries.value);
      next.delete(id);
      entries.value = next;
    }
    if (currentId.value === id) navigate({ view: "chat", conversationId: null }, { replace: true });
  }

  return {
    entries,
    listLoaded,
    sidebarGroups: computed(() =>
      groupConversations(entries.value.values(), search.value, peers.value)
    ),
    currentId,
    current,
    currentEntry,
    messages,
    lastAnswerId: computed(() => lastResponseId(branch.value.path)),
    shown: computed(() => branch.value.path),
    versions: computed(() => branch.value.versions),
    chatModel,
    askModel: computed(() => (askModel.value === "auto" ? null : askModel.value)),
    loadingConversation,
    notice,
    currentNotice,
    noticeMessageId: computed(() => {
      const messageId = currentNotice.value?.messageId;
      return messageId && messages.value.some((message) => message.id === messageId)
        ? messageId
        : null;
    }),
    currentReadOnly: computed(() => {
      if (!currentId.value) return false;
      const entry = currentEntry.value;
      if (entry) return entry.readOnly || entry.receivedFrom !== null;
      return current.value?.readOnly ?? false;
    }),
    isStreamingHere,
    writingIds: computed(() => new Set(activeStreams.value.keys())),

    async loadConversations() {
      const list = await api.conversations();
      entries.value = new Map(entriesFromList(list).map((entry) => [entry.id, entry]));
      listLoaded.value = true;
    },
    openConversation,
    refreshCurrent,
    clearUnreachableNotice() {
      if (notice.value?.kind === "unreachable") notice.value = null;
    },
    newChat() {
      navigate({ view: "chat", conversationId: null });
    },
    async send(text) {
      const content = text.trim();
      if (!content || streamOf(currentId.value)) return false;
      let id = currentId.value;
      // A new chat's first question asks the model picked for it.
      const pickedFirst = id ? null : askModel.value;
      if (!id) {
        try {
          const created = await api.createConversation();
          id = created.id;
          putEntry({ ...summaryOf(created), receivedFrom: null });
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
      const asked = pickedFirst ?? askModel.value;
      pendingModel.value = null;
      const first = messages.value.length === 0;
      const sent = await runStream(
        conversationId,
        (signal, onEvent) => api.ask(conversationId, content, asked, signal, onEvent),
      );
      if (sent && first && modelTitles?.()) void retitle(conversationId);
      return sent;
    },
    async regenerate() {
      const id = currentId.value;
      if (!id || streamOf(id)) return;
      const last = branch.value.path.at(-1);
      // A new version of the last answer stands in its place at once.
      const parent = last?.messageType === "Response"
        ? parentIn(threadOf(current.value), messages.value, last.id)
        : null;
      await runStream(
        id,
        (signal, onEvent) =>
          api.regenerate(id, askModel.value, signal, (event) => {
            if (event.type === "response" && parent !== null) {
              setThread(id, (thread) => placeNewVersion(thread, event.message.id, parent));
            }
            onEvent(event);
          }),
      );
    },
    async edit(messageId, text) {
      const id = currentId.value;
      const content = text.trim();
      if (!id || !content || streamOf(id)) return false;
      const parent = parentIn(threadOf(current.value), messages.value, messageId);
      return await runStream(
        id,
        (signal, onEvent) =>
          api.edit(id, messageId, content, askModel.value, signal, (event) => {
            if (event.type === "question") {
              setThread(id, (thread) => placeNewVersion(thread, event.message.id, parent));
            }
            onEvent(event);
          }),
      );
    },
    async selectVersion(messageId) {
      const id = currentId.value;
      if (!id) return;
      setThread(id, (thread) => selectShown(thread, messages.value, messageId));
      try {
        const updated = await api.selectVersion(id, messageId);
        if (current.value?.id === id) current.value = { ...current.value, thread: updated.thread };
      } catch (error) {
        showError(id, error);
        await refreshCurrent();
      }
    },
    async saveChatSettings(patch) {
      const id = currentId.value;
      if (!id) return false;
      try {
        const updated = await api.updateConversation(id, { settings: patch });
        if (current.value?.id === id) current.value = { ...current.value, thread: updated.thread };
        return true;
      } catch (error) {
        showError(id, error);
        return false;
      }
    },
    async pickModel(name) {
      const id = currentId.value;
      const chosen = name ?? "auto";
      if (!id) {
        pendingModel.value = chosen;
        return;
      }
      const before = threadOf(current.value);
      setThread(id, (thread) => ({ ...thread, settings: { ...thread.settings, model: chosen } }));
      try {
        await api.updateConversation(id, { settings: { model: chosen } });
      } catch (error) {
        setThread(id, () => before);
        showError(id, error);
      }
    },
    stop() {
      const stream = streamOf(currentId.value);
      if (!stream) return;
      stream.abort.abort();
      api.stopAnswer(stream.conversationId).catch(() => {
        // 404 once the node has already stopped it on disconnect: nothing left to stop.
      });
    },
    async rename(id, title) {
      const trimmed = title.trim();
      if (!trimmed) return;
      try {
        const updated = await api.updateConversation(id, { title: trimmed });
        if (current.value?.id === id) {
          current.value = { ...current.value, title: updated.title ?? trimmed };
        }
        const entry = entries.value.get(id);
        if (entry) putEntry({ ...entry, title: trimmed });
      } catch (error) {
        showError(id, error);
      }
    },
    async setShared(id, shared) {
      try {
        await api.updateConversation(id, { shared });
        if (current.value?.id === id) current.value = { ...current.value, shared };
        const entry = entries.value.get(id);
        if (entry) putEntry({ ...entry, shared });
      } catch (error) {
        showError(id, error);
      }
    },
    async remove(id) {
      try {
        await api.deleteConversation(id);
        applyDeleted(id);
      } catch (error) {
        showError(id, error);
      }
    },
    async fork(id) {
      try {
        const copy = await api.forkConversation(id);
        putEntry({ ...summaryOf(copy), receivedFrom: null });
        navigate({ view: "chat", conversationId: copy.id });
      } catch (error) {
        showError(id, error);
      }
    },

    applySummary(summary) {
      const existing = entries.value.get(summary.id);
      putEntry(entryFromSummary(summary, node.value?.id ?? null, existing));
      if (current.value?.id === summary.id) {
        const threadChanged = summary.threadHlc !== undefined &&
          summary.threadHlc !== current.value.thread?.hlc;
        current.value = { ...current.value, title: summary.title, shared: summary.shared };
        // Another version was chosen, or settings changed (maybe on another device): re-read.
        if (threadChanged && !streamOf(summary.id)) void refreshCurrent();
      }
    },
    applyDeleted,
    applyMessage(conversationId, message) {
      if (currentId.value !== conversationId) return;
      // The answer stream of this page is the authority for the message it is growing.
      const stream = streamOf(conversationId);
      if (stream && stream.messageId === message.id && !message.complete) return;
      messages.value = upsertMessage(messages.value, message);
    },
  };
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
    ...(conversation.thread?.forkedFrom ? { forkedFrom: conversation.thread.forkedFrom } : {}),
  };
}
