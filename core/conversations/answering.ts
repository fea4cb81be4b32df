/**
 * Asking and answering in this node's conversations: questions, edits (a new version of a
 * question) and regenerations (a new version of an answer), placed in the conversation's tree of
 * versions (versions.ts), each answer streamed into its response message (answer_run.ts), one
 * answer at a time per conversation. The service checks ownership and hands over the header.
 */
import type { Logger } from "../log/logger.ts";
import { START } from "../model/branches.ts";
import {
  type ChatMessage,
  type ChatSettings,
  type ConversationHeader,
  DEFAULT_TITLE,
  titleFromQuestion,
} from "../model/conversation.ts";
import type { ConversationStore } from "../store/store.ts";
import type { RecordValue } from "../sync/records.ts";
import { type AnswerRunDeps, runAnswer } from "./answer_run.ts";
import type { AskEvent } from "./ask_event.ts";
import type { ConversationEvents } from "./conversation_events.ts";
import { checkContent, ConversationError } from "./errors.ts";
import { EventQueue } from "./event_queue.ts";
import { lastQuestion } from "./history.ts";
import { patchSettings, type SettingsPatch, type ThreadChange, Versions } from "./versions.ts";

export interface AskInput {
  content: string;
  /** Model name; omitted or "auto" lets the router choose. */
  model?: string;
}

type NewMessageFields =
  & Pick<ChatMessage, "messageType" | "content" | "sender" | "complete">
  & { model?: string };

export interface AnsweringDeps {
  self: string;
  store: Pick<ConversationStore, "messages" | "thread">;
  /** Stores this node's changes and pushes them to peers. */
  commit(values: RecordValue[]): void;
  /** A new stamp of this node's clock. */
  stamp(): string;
  published: ConversationEvents;
  answer: AnswerRunDeps;
  /** A new message of this node in a conversation, stamped now. */
  newMessage(conversationId: string, fields: NewMessageFields): ChatMessage;
  /** Who asks: this node's display name. */
  senderName(): string;
  logger: Logger;
}

export class Answering {
  readonly #d: AnsweringDeps;
  readonly #active = new Map<string, { controller: AbortController; finished: Promise<void> }>();

  constructor(deps: AnsweringDeps) {
    this.#d = deps;
  }

  /** Whether an answer is being written in the conversation. */
  isAnswering(id: string): boolean {
    return this.#active.has(id);
  }

  /** Ends the conversation's answer (if any) for `reason`, saving what arrived. */
  abort(id: string, reason: Error): void {
    this.#active.get(id)?.controller.abort(reason);
  }

  /** Stops every answer in progress; resolves once each has saved what arrived. */
  async stopAll(reason: Error): Promise<void> {
    const running = [...this.#active.values()];
    for (const { controller } of running) controller.abort(reason);
    await Promise.all(running.map((r) => r.finished));
  }

  /**
   * Asks a question: stores it durably, then streams the answer. Throws ConversationError at
   * once for an unknown or read-only conversation, empty content or an answer in progress.
   * The answer keeps being saved when the reader stops reading; aborting `signal` (the client
   * left) or `stopAnswer()` ends it, saving what arrived with `stopped: true`.
   */
  ask(header: ConversationHeader, input: AskInput, signal?: AbortSignal): AsyncIterable<AskEvent> {
    const id = header.id;
    checkContent(input.content);
    this.#ensureIdle(id);
    const versions = this.#versions(id);
    const parent = versions.path.at(-1)?.id ?? START;
    return this.#askAfter(header, versions, parent, versions.path, input, signal);
  }

  /**
   * Edit and resend: a new version of question `messageId` (of the shown branch) with `content`,
   * answered afresh; the earlier version and what followed it stay, one switch away.
   */
  edit(
    header: ConversationHeader,
    messageId: string,
    input: AskInput,
    signal?: AbortSignal,
  ): AsyncIterable<AskEvent> {
    const id = header.id;
    checkContent(input.content);
    this.#ensureIdle(id);
    const versions = this.#versions(id);
    const parent = versions.parentOf(versions.shown(messageId, "Question").id);
    return this.#askAfter(header, versions, parent, versions.pathThrough(parent), input, signal);
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
    this.#ensureIdle(id);
    const versions = this.#versions(id);
    const target = input.messageId === undefined
      ? versions.path.at(-1)
      : versions.shown(input.messageId, "Response");
    const parent = target?.messageType === "Response" ? versions.parentOf(target.id) : target?.id;
    const history = parent === undefined ? [] : versions.pathThrough(parent);
    const question = lastQuestion(history);
    if (parent === undefined || !question) {
      throw new ConversationError(
        "nothing to regenerate: the conversation has no question yet",
        "bad_request",
      );
    }
    const settings = this.#settingsWithModel(versions, input.model);
    const queue = new EventQueue<AskEvent>();
    this.#answer(
      id,
      { history, questionId: question.id, settings: settings.value },
      chosenModel(input.model ?? settings.value.model ?? question.model),
      queue,
      signal,
      (response) =>
        this.#threadRecords(versions, {
          links: versions.linksWith(response.id, parent),
          settings: settings.value,
        }),
    );
    return queue;
  }

  /** Shows version `messageId` at its branch point (and what follows it), here and on peers. */
  selectVersion(id: string, messageId: string): void {
    const versions = this.#versions(id);
    if (!versions.tree.byId.has(messageId)) {
      throw new ConversationError(
        `no message ${JSON.stringify(messageId)} in this conversation`,
        "not_found",
      );
    }
    const links = versions.links();
    // Selected at its branch point and every one above it, so the message is shown.
    const selected = { ...links.selected };
    for (let at = messageId; at !== START; at = versions.parentOf(at)) {
      selected[versions.parentOf(at)] = at;
    }
    this.#commitThread(versions, { links: { ...links, selected } });
  }

  /** Changes a chat's settings (`null` removes one), kept with it and synced like its title. */
  updateSettings(id: string, patch: SettingsPatch): void {
    const versions = this.#versions(id);
    this.#commitThread(versions, { settings: patchSettings(versions.settings, patch) });
  }

  /** Stops the answer being written in a conversation; false when there is none. */
  stopAnswer(id: string): boolean {
    const active = this.#active.get(id);
    active?.controller.abort(new Error("stopped by the user"));
    return active !== undefined;
  }

  #answer(
    conversationId: string,
    job: { history: ChatMessage[]; questionId: string; settings: ChatSettings },
    model: string | undefined,
    queue: EventQueue<AskEvent>,
    signal: AbortSignal | undefined,
    /** Records stored with the new response (a thread placing it as a version). */
    alongside: (response: ChatMessage) => RecordValue[] = () => [],
  ) {
    const controller = new AbortController();
    const onAbort = () => controller.abort(signal?.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
    if (signal?.aborted) controller.abort(signal.reason);

    const response = this.#d.newMessage(conversationId, {
      messageType: "Response",
      content: "",
      sender: model ?? "assistant",
      complete: false,
      model,
    });
    this.#d.commit([{ type: "message", value: response }, ...alongside(response)]);
    this.#d.published.message(response);
    this.#d.published.summary(conversationId);
    queue.push({ type: "response", message: response });

    const finished = runAnswer(this.#d.answer, {
      conversationId,
      messages: job.history,
      questionId: job.questionId,
      settings: job.settings,
      model,
      response,
      queue,
      signal: controller.signal,
    })
      .catch((error) =>
        this.#d.logger.error("saving an answer failed", { conversation: conversationId, error })
      )
      .finally(() => {
        signal?.removeEventListener("abort", onAbort);
        this.#active.delete(conversationId);
        queue.close();
      });
    this.#active.set(conversationId, { controller, finished });
  }

  /** Adds question `input` under `parent` (the shown branch `before` leads to it) and answers it. */
  #askAfter(
    header: ConversationHeader,
    versions: Versions,
    parent: string,
    before: ChatMessage[],
    input: AskInput,
    signal: AbortSignal | undefined,
  ): AsyncIterable<AskEvent> {
    const id = header.id;
    const settings = this.#settingsWithModel(versions, input.model);
    const model = chosenModel(input.model ?? settings.value.model);
    const question = this.#d.newMessage(id, {
      messageType: "Question",
      content: input.content,
      sender: this.#d.senderName(),
      complete: true,
      model,
    });
    const values: RecordValue[] = [
      { type: "message", value: question },
      ...this.#threadRecords(versions, {
        links: versions.linksWith(question.id, parent),
        settings: settings.value,
      }),
    ];
    if (
      header.title === DEFAULT_TITLE && !versions.messages.some((m) => m.messageType === "Question")
    ) {
      values.push({
        type: "conversation",
        value: { ...header, title: titleFromQuestion(input.content), hlc: this.#d.stamp() },
      });
    }
    this.#d.commit(values);
    this.#d.published.message(question);
    this.#d.published.summary(id);
    const queue = new EventQueue<AskEvent>();
    queue.push({ type: "question", message: question });
    this.#answer(
      id,
      { history: [...before, question], questionId: question.id, settings: settings.value },
      model,
      queue,
      signal,
    );
    return queue;
  }

  #versions(id: string): Versions {
    return new Versions(id, this.#d.store.messages(id), this.#d.store.thread(id));
  }

  /** The chat's settings, remembering the model asked for ("auto" too: Auto was chosen). */
  #settingsWithModel(versions: Versions, model: string | undefined): { value: ChatSettings } {
    const current = versions.settings;
    if (model === undefined || model === current.model) return { value: current };
    return { value: patchSettings(current, { model }) };
  }

  /** The thread record for a change of links or settings, when it changes anything. */
  #threadRecords(versions: Versions, change: ThreadChange): RecordValue[] {
    const next = versions.nextThread({ originNode: this.#d.self, hlc: this.#d.stamp() }, change);
    return next ? [{ type: "thread", value: next }] : [];
  }

  #commitThread(versions: Versions, change: ThreadChange) {
    const records = this.#threadRecords(versions, change);
    if (records.length === 0) return;
    this.#d.commit(records);
    this.#d.published.summary(versions.conversationId);
  }

  #ensureIdle(id: string) {
    if (this.#active.has(id)) {
      throw new ConversationError(
        "an answer is still being written in this conversation; stop it first",
        "busy",
      );
    }
  }
}

function chosenModel(model: string | undefined): string | undefined {
  return model && model !== "auto" ? model : undefined;
}
