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
import { type AnswerRunDeps, runAnswer } from "./answer_run.ts";
import type { AskEvent } from "./ask_event.ts";
import type { ConversationEvents } from "./conversation_events.ts";
import { EventQueue } from "./event_queue.ts";
import { lastQuestion } from "./history.ts";
import { importedConversationRecords, parseLegacyConversation } from "./legacy_files.ts";
import {
  type ChatMessage,
  type Conversation,
  type ConversationHeader,
  DEFAULT_TITLE,
  type HostInfo,
  MAX_CONTENT_CHARS,
  titleFromQuestion,
} from "../model/conversation.ts";
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

export interface AskInput {
  content: string;
  /** Model name; omitted or "auto" lets the router choose. */
  model?: string;
}

export class ConversationService {
  readonly #o: ConversationServiceOptions;
  readonly #store: ConversationStore;
  readonly #hlc: HybridClock;
  readonly #sync: ConversationSync;
  readonly #published: ConversationEvents;
  readonly #answering: AnswerRunDeps;
  readonly #wall: () => number;
  readonly #active = new Map<string, { controller: AbortController; finished: Promise<void> }>();

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
    this.#answering = {
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
    };
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
    const running = [...this.#active.values()];
    for (const { controller } of running) controller.abort(new Error("node shutting down"));
    await Promise.all(running.map((r) => r.finished));
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
    return groupSummaries(this.#store.summaries().map((s) => toSummary(s, this.#self)));
  }

  get(id: string): Conversation | undefined {
    const header = this.#store.header(id);
    return header && toConversation(header, this.#store.messages(id), this.#self);
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
    this.#active.get(id)?.controller.abort(new Error("conversation deleted"));
    const tombstone = { conversationId: id, hlc: this.#hlc.now(), deletedBy: this.#self };
    this.#commit([{ type: "tombstone", value: tombstone }], {
      localOnly: header.originNode !== this.#self,
    });
    this.#published.deleted(id);
  }

  /** "Continue here": copies a conversation (usually a received one) into a new one of this node. */
  fork(id: string): Conversation {
    const source = this.#store.header(id);
    if (!source) throw new ConversationError(`no conversation ${JSON.stringify(id)}`, "not_found");
    const header = this.#newHeader(source.title);
    const copies: RecordValue[] = this.#store.messages(id).map((message) => {
      const stamp = this.#hlc.now();
      const copy: ChatMessage = {
        ...message,
        id: crypto.randomUUID(),
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
    this.#commit([{ type: "conversation", value: header }, ...copies]);
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
    const header = this.#ownHeader(id, "ask in");
    if (typeof input.content !== "string" || input.content.trim() === "") {
      throw new ConversationError("content must be a non-empty string", "bad_request");
    }
    if (input.content.length > MAX_CONTENT_CHARS) {
      throw new ConversationError(
        `content is too long: ${input.content.length} > ${MAX_CONTENT_CHARS} characters`,
        "bad_request",
      );
    }
    this.#ensureIdle(id);
    const model = chosenModel(input.model);
    const question = this.#newMessage(id, {
      messageType: "Question",
      content: input.content,
      sender: this.#o.settings().name,
      complete: true,
      model,
    });
    const values: RecordValue[] = [{ type: "message", value: question }];
    const earlier = this.#store.messages(id);
    if (header.title === DEFAULT_TITLE && !earlier.some((m) => m.messageType === "Question")) {
      values.push({
        type: "conversation",
        value: { ...header, title: titleFromQuestion(input.content), hlc: this.#hlc.now() },
      });
    }
    this.#commit(values);
    this.#published.message(question);
    this.#published.summary(id);
    const queue = new EventQueue<AskEvent>();
    queue.push({ type: "question", message: question });
    this.#answer(id, [...earlier, question], question.id, model, queue, signal);
    return queue;
  }

  /** Answers the last question again; the new answer is added after the earlier ones. */
  regenerate(
    id: string,
    input: { model?: string } = {},
    signal?: AbortSignal,
  ): AsyncIterable<AskEvent> {
    this.#ownHeader(id, "regenerate in");
    this.#ensureIdle(id);
    const messages = this.#store.messages(id);
    const question = lastQuestion(messages);
    if (!question) {
      throw new ConversationError(
        "nothing to regenerate: the conversation has no question yet",
        "bad_request",
      );
    }
    const queue = new EventQueue<AskEvent>();
    this.#answer(
      id,
      messages,
      question.id,
      chosenModel(input.model ?? question.model),
      queue,
      signal,
    );
    return queue;
  }

  /** Stops the answer being written in a conversation; false when there is none. */
  stopAnswer(id: string): boolean {
    const active = this.#active.get(id);
    active?.controller.abort(new Error("stopped by the user"));
    return active !== undefined;
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

  // ---- answering -----------------------------------------------------------------------

  #answer(
    conversationId: string,
    messages: ChatMessage[],
    questionId: string,
    model: string | undefined,
    queue: EventQueue<AskEvent>,
    signal: AbortSignal | undefined,
  ) {
    const controller = new AbortController();
    const onAbort = () => controller.abort(signal?.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
    if (signal?.aborted) controller.abort(signal.reason);

    const response = this.#newMessage(conversationId, {
      messageType: "Response",
      content: "",
      sender: model ?? "assistant",
      complete: false,
      model,
    });
    this.#commit([{ type: "message", value: response }]);
    this.#published.message(response);
    queue.push({ type: "response", message: response });

    const finished = runAnswer(this.#answering, {
      conversationId,
      messages,
      questionId,
      model,
      response,
      queue,
      signal: controller.signal,
    })
      .catch((error) =>
        this.#o.logger.error("saving an answer failed", { conversation: conversationId, error })
      )
      .finally(() => {
        signal?.removeEventListener("abort", onAbort);
        this.#active.delete(conversationId);
        queue.close();
      });
    this.#active.set(conversationId, { controller, finished });
  }

  // ---- internals -----------------------------------------------------------------------

  /**
   * An answer this node was writing when it died (crash, kill -9, power cut) is stored
   * incomplete and would show as "still being written" forever, here and on every peer it
   * reached. Keep what was saved and mark it stopped, as a graceful shutdown does.
   */
  #finishInterrupted() {
    const interrupted = this.#store.unfinishedMessages().filter((message) =>
      message.originNode === this.#self && !this.#active.has(message.conversationId)
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

  #ensureIdle(id: string) {
    if (this.#active.has(id)) {
      throw new ConversationError(
        "an answer is still being written in this conversation; stop it first",
        "busy",
      );
    }
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

function chosenModel(model: string | undefined): string | undefined {
  return model && model !== "auto" ? model : undefined;
}
