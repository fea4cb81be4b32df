/**
 * The conversation service: the one place that changes conversations. It ties the store (a
 * durable replica), sync (pushes each change to peers and merges theirs) and the chat service
 * (answers), and publishes live events for the UI.
 */
import type { ChatService } from "../llm/chat.ts";
import type { Logger } from "../log/logger.ts";
import type { PeerRef } from "../peers/bus.ts";
import { type Clock, systemClock } from "../time/clock.ts";
import type { CommitOptions, ConversationStore } from "../store/store.ts";
import { newConversationId } from "../sync/authority.ts";
import type { HybridClock } from "../time/hlc.ts";
import type { RecordValue, SyncRecord } from "../sync/records.ts";
import type { SyncEngine } from "../sync/sync_engine.ts";
import { Answering, type AskInput } from "./answering.ts";
import type { AskEvent } from "./ask_event.ts";
import type { ConversationEvents } from "./conversation_events.ts";
import { copiedLinks, type SettingsPatch, Versions } from "./versions.ts";
import { importedConversationRecords, parseLegacyConversation } from "./legacy_files.ts";
import type {
  ChatMessage,
  Conversation,
  ConversationHeader,
  HostInfo,
} from "../model/conversation.ts";
import { DEFAULT_TITLE, titleFromQuestion } from "../model/conversation.ts";
import { modelTitle, titleRequest } from "./model_title.ts";
import { msToRfc3339 } from "../model/rfc3339.ts";
import {
  type ConversationList,
  groupSummaries,
  shownOrigin,
  toConversation,
  toSummary,
} from "./views.ts";
import { checkTitle, ConversationError } from "./errors.ts";

export { ConversationError };
export type { AskInput };

/** The settings conversations read while the node runs, through one accessor. */
export interface ConversationSettings {
  /** This node's display name, on its questions and conversations. */
  name: string;
  /** Global sharing: off keeps every conversation on this node. */
  sharing: boolean;
}

/** What the service needs of sync: push its changes, pull on demand. */
export type ConversationSync =
  & Pick<SyncEngine, "start" | "stop" | "publish" | "syncNow">
  & Partial<Pick<SyncEngine, "stats">>;

export interface ConversationServiceOptions {
  nodeId: string;
  /** The live settings, read on every use. */
  settings: () => ConversationSettings;
  store: ConversationStore;
  /** The node's clock for stamps, shared with sync (which folds in peers' stamps). */
  hlc: HybridClock;
  sync: ConversationSync;
  chat: ChatService;
  /** Live events for the page. */
  published: ConversationEvents;
  logger: Logger;
  /** Whether this node runs an LLM itself (shown in the host info of its questions). */
  isLlmHost?: () => boolean;
  /** Timers for coalescing (fake in tests). */
  timers?: Clock;
  /** Wall clock in ms (fake in tests). */
  wallClock?: () => number;
  /** A growing answer is saved and pushed at most this often. */
  flushIntervalMs?: number;
}

export class ConversationService {
  readonly #o: ConversationServiceOptions;
  readonly #store: ConversationStore;
  readonly #hlc: HybridClock;
  readonly #sync: ConversationSync;
  readonly #published: ConversationEvents;
  readonly #asking: Answering;
  readonly #wall: () => number;

  constructor(options: ConversationServiceOptions) {
    if (options.store.nodeId !== options.nodeId) {
      throw new RangeError(
        `store node id ${options.store.nodeId} differs from this node's ${options.nodeId}`,
      );
    }
    this.#o = options;
    this.#store = options.store;
    this.#hlc = options.hlc;
    this.#sync = options.sync;
    this.#published = options.published;
    this.#wall = options.wallClock ?? Date.now;
    this.#asking = new Answering({
      self: options.nodeId,
      store: options.store,
      commit: (values) => this.#commit(values),
      stamp: () => this.#hlc.now(),
      published: options.published,
      answer: {
        chat: options.chat,
        save: (message) => {
          this.#commit([{ type: "message", value: message }]);
          this.#published.message(message);
        },
        stamp: () => this.#hlc.now(),
        finished: (id) => this.#published.summary(id),
        logger: options.logger,
        timers: options.timers ?? systemClock,
        wallClock: this.#wall,
        flushIntervalMs: options.flushIntervalMs ?? 250,
      },
      newMessage: (conversationId, fields) => this.#newMessage(conversationId, fields),
      senderName: () => this.#o.settings().name,
      logger: options.logger,
    });
  }

  get #self(): string {
    return this.#o.nodeId;
  }

  start(): void {
    this.#finishInterrupted();
    this.#sync.start();
  }

  /** Stops every answer in progress (saving what arrived) and sync; the store stays open. */
  async stop(): Promise<void> {
    await this.#asking.stopAll(new Error("node shutting down"));
    this.#sync.stop();
  }

  /** Pull from and offer to every peer now (e.g. after sharing was turned on). */
  /** Sync's pending pulls and last applied record per origin (metrics); undefined without. */
  syncStats(): ReturnType<SyncEngine["stats"]> | undefined {
    return this.#sync.stats?.();
  }

  syncNow(): void {
    this.#sync.syncNow();
  }

  // ---- queries -------------------------------------------------------------------------

  list(): ConversationList {
    const messagesOf = (id: string) => this.#store.messages(id);
    return groupSummaries(this.#store.summaries().map((s) => toSummary(s, this.#self, messagesOf)));
  }

  get(id: string): Conversation | undefined {
    const header = this.#store.header(id);
    return header &&
      toConversation(header, this.#store.messages(id), this.#self, this.#store.thread(id));
  }

  // ---- changes -------------------------------------------------------------------------

  create(input: { title?: string } = {}): Conversation {
    const title = input.title === undefined ? DEFAULT_TITLE : checkTitle(input.title);
    const header = this.#newHeader(title);
    this.#commit([{ type: "conversation", value: header }]);
    this.#published.summary(header.id);
    return this.get(header.id)!;
  }

  update(id: string, patch: { title?: string; shared?: boolean }): Conversation {
    const header = this.#ownHeader(id, "edit");
    const next: ConversationHeader = { ...header, hlc: this.#hlc.now() };
    if (patch.title !== undefined) next.title = checkTitle(patch.title);
    if (patch.shared !== undefined) next.shared = patch.shared;
    if (next.title === header.title && next.shared === header.shared) return this.get(id)!;
    this.#commit([{ type: "conversation", value: next }]);
    if (next.shared && !header.shared) {
      // Peers' watermarks may have passed these records while they were private: resend them.
      this.#sync.publish(this.#store.restampConversation(id));
    }
    this.#published.summary(id);
    return this.get(id)!;
  }

  /**
   * A short title written by the model from the first question and answer (the page asks once
   * the first answer is in, when the person wants it). Only a chat still titled by its first
   * question gets one: a chat renamed by hand, before or meanwhile, keeps its name.
   */
  async titleByModel(id: string, signal?: AbortSignal): Promise<Conversation> {
    const header = this.#ownHeader(id, "retitle");
    const versions = new Versions(id, this.#store.messages(id), this.#store.thread(id));
    const [question, answer] = versions.path;
    if (question?.messageType !== "Question" || !answer?.complete || !answer.content) {
      throw new ConversationError("no answered question to make a title from yet", "bad_request");
    }
    const fromQuestion = titleFromQuestion(question.content);
    if (header.title !== fromQuestion) return this.get(id)!;
    const own = versions.settings.model;
    const model = own && own !== "auto" ? own : answer.model;
    const request = titleRequest(question.content, answer.content, model, id);
    const title = await modelTitle(this.#o.chat, request, signal);
    if (!title || this.#store.header(id)?.title !== fromQuestion) return this.get(id)!;
    return this.update(id, { title });
  }

  rename(id: string, title: string): Conversation {
    return this.update(id, { title });
  }

  setShared(id: string, shared: boolean): Conversation {
    return this.update(id, { shared });
  }

  /**
   * Deletes a conversation. This node's own: everywhere it was shared (the tombstone syncs).
   * One received from another node: hidden here only; the author keeps it.
   */
  delete(id: string): void {
    const header = this.#store.header(id);
    if (!header) throw new ConversationError(`no conversation ${JSON.stringify(id)}`, "not_found");
    this.#asking.abort(id, new Error("conversation deleted"));
    const tombstone = { conversationId: id, hlc: this.#hlc.now(), deletedBy: this.#self };
    this.#commit([{ type: "tombstone", value: tombstone }], {
      localOnly: header.originNode !== this.#self,
    });
    this.#published.deleted(id);
  }

  /**
   * "Continue here": copies a conversation (usually a received one) into a new one of this node,
   * every version with it, marked as copied from where it came from.
   */
  fork(id: string): Conversation {
    const source = this.#store.header(id);
    if (!source) throw new ConversationError(`no conversation ${JSON.stringify(id)}`, "not_found");
    const header = this.#newHeader(source.title);
    const versions = new Versions(id, this.#store.messages(id), this.#store.thread(id));
    const ids = new Map(versions.messages.map((m) => [m.id, crypto.randomUUID()]));
    const copies: RecordValue[] = versions.messages.map((message) => {
      const stamp = this.#hlc.now();
      const copy: ChatMessage = {
        ...message,
        id: ids.get(message.id)!,
        conversationId: header.id,
        originNode: this.#self,
        hlc: stamp,
        createdHlc: stamp,
        complete: true,
      };
      // An answer still streaming at the source is copied as stopped where it stands.
      if (!message.complete) copy.stopped = true;
      return { type: "message", value: copy };
    });
    const origin = shownOrigin(source, this.#self);
    const thread = new Versions(header.id, [], undefined).nextThread(
      { originNode: this.#self, hlc: this.#hlc.now() },
      {
        links: copiedLinks(versions, (old) => ids.get(old)!),
        settings: versions.settings,
        forkedFrom: { conversationId: id, nodeId: origin.originNode, nodeName: origin.originName },
      },
    );
    this.#commit([
      { type: "conversation", value: header },
      ...copies,
      ...(thread ? [{ type: "thread", value: thread } as const] : []),
    ]);
    this.#published.summary(header.id);
    return this.get(header.id)!;
  }

  /**
   * Asks a question: stores it durably, then streams the answer. Throws ConversationError at
   * once for an unknown or read-only conversation, empty content or an answer in progress.
   * The answer keeps being saved when the reader stops reading; aborting `signal` (the client
   * left) or `stopAnswer()` ends it, saving what arrived with `stopped: true`.
   */
  ask(id: string, input: AskInput, signal?: AbortSignal): AsyncIterable<AskEvent> {
    return this.#asking.ask(this.#ownHeader(id, "ask in"), input, signal);
  }

  /**
   * Edit and resend: a new version of question `messageId` (of the shown branch) with `content`,
   * answered afresh; the earlier version and what followed it stay, one switch away.
   */
  edit(id: string, messageId: string, input: AskInput, signal?: AbortSignal) {
    return this.#asking.edit(this.#ownHeader(id, "edit in"), messageId, input, signal);
  }

  /**
   * Answers again: a new version of answer `messageId` (default: the last answer shown), added
   * beside it, not after it. A branch ending in an unanswered question gets its answer.
   */
  regenerate(
    id: string,
    input: { model?: string; messageId?: string } = {},
    signal?: AbortSignal,
  ): AsyncIterable<AskEvent> {
    this.#ownHeader(id, "regenerate in");
    return this.#asking.regenerate(id, input, signal);
  }

  /** Shows version `messageId` at its branch point (and what follows it), here and on peers. */
  selectVersion(id: string, messageId: string): Conversation {
    this.#ownHeader(id, "switch versions in");
    this.#asking.selectVersion(id, messageId);
    return this.get(id)!;
  }

  /** Changes a chat's settings (`null` removes one), kept with it and synced like its title. */
  updateSettings(id: string, patch: SettingsPatch): Conversation {
    this.#ownHeader(id, "change the settings of");
    this.#asking.updateSettings(id, patch);
    return this.get(id)!;
  }

  /** Stops the answer being written in a conversation; false when there is none. */
  stopAnswer(id: string): boolean {
    return this.#asking.stopAnswer(id);
  }

  // ---- from peers (called by sync) ----------------------------------------------------

  /**
   * An original NeuroMesh peer pushes its conversation file: kept as this node's, received from
   * that device, the same conversation as importing the file the original would have written
   * for it (`received/<address>/local.json`), so each push adds only its new messages. Not
   * shared: every node the original links to gets the pushes itself and keeps its own copy.
   */
  receiveLegacy(from: PeerRef, payload: Record<string, unknown>): void {
    const parsed = parseLegacyConversation(payload);
    if (!parsed.ok) {
      this.#o.logger.warn("legacy conversation dropped: invalid", {
        peer: from.id,
        problem: parsed.error,
      });
      return;
    }
    const { records } = importedConversationRecords(parsed.legacy, {
      self: this.#self,
      file: `received/${from.address}/local.json`,
      receivedIn: from.address,
      shared: false,
    });
    const applied = this.#commit(records);
    if (applied.length > 0) this.#published.received(applied);
  }

  // ---- internals -----------------------------------------------------------------------

  /**
   * An answer this node was writing when it died (crash, kill -9, power cut) is stored
   * incomplete and would show as "still being written" forever, here and on every peer it
   * reached. Keep what was saved and mark it stopped, as a graceful shutdown does.
   */
  #finishInterrupted() {
    const interrupted = this.#store.unfinishedMessages().filter((message) =>
      message.originNode === this.#self && !this.#asking.isAnswering(message.conversationId)
    );
    if (interrupted.length === 0) return;
    this.#commit(interrupted.map((message) => ({
      type: "message",
      value: { ...message, complete: true, stopped: true, hlc: this.#hlc.now() },
    })));
    this.#o.logger.info("answers cut short by the last stop marked stopped", {
      count: interrupted.length,
    });
  }

  #commit(values: RecordValue[], options?: CommitOptions): SyncRecord[] {
    const stamped = this.#store.commitLocal(values, options);
    this.#sync.publish(stamped);
    return stamped;
  }

  #ownHeader(id: string, action: string): ConversationHeader {
    const header = this.#store.header(id);
    if (!header) throw new ConversationError(`no conversation ${JSON.stringify(id)}`, "not_found");
    if (shownOrigin(header, this.#self).readOnly) {
      throw new ConversationError(
        `cannot ${action} a conversation received from ${
          header.hostInfo.nodeName || header.originNode
        }: ` +
          'it is read-only here; fork it ("Continue here") to continue it on this node',
        "read_only",
      );
    }
    return header;
  }

  /** A new conversation of this node, shared, stamped now. */
  #newHeader(title: string): ConversationHeader {
    return {
      id: newConversationId(this.#self),
      title,
      originNode: this.#self,
      hostInfo: this.#selfHost(),
      createdAt: this.#now(),
      shared: true,
      hlc: this.#hlc.now(),
    };
  }

  /** A new message of this node, stamped now. */
  #newMessage(
    conversationId: string,
    fields: Pick<ChatMessage, "messageType" | "content" | "sender" | "complete"> & {
      model?: string;
    },
  ): ChatMessage {
    const stamp = this.#hlc.now();
    const { model, ...rest } = fields;
    return {
      id: crypto.randomUUID(),
      conversationId,
      timestamp: this.#now(),
      hostInfo: this.#selfHost(),
      ...(model ? { model } : {}),
      originNode: this.#self,
      hlc: stamp,
      createdHlc: stamp,
      ...rest,
    };
  }

  #selfHost(): HostInfo {
    return {
      nodeId: this.#self,
      nodeName: this.#o.settings().name,
      isLlmHost: this.#o.isLlmHost?.() ?? false,
    };
  }

  #now(): string {
    return msToRfc3339(this.#wall());
  }
}
