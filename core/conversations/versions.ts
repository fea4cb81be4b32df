/**
 * Where new messages go in a conversation's tree of versions, and the thread record that says
 * so (see ConversationThread and core/model/branches.ts). Pure: the service stores the results.
 *
 * - asking adds a question after the end of the shown branch;
 * - editing a question adds a new version of it (same parent), answered afresh;
 * - regenerating an answer adds a new version of it (same parent: its question);
 * - a new version becomes the selected one at its branch point.
 */
import {
  activePath,
  type Branching,
  branching,
  START,
  type ThreadLinks,
} from "../model/branches.ts";
import type {
  ChatMessage,
  ChatSettings,
  ConversationThread,
  ForkedFrom,
} from "../model/conversation.ts";
import { canonicalJson } from "../sync/merge.ts";
import { ConversationError } from "./errors.ts";

/** A conversation's messages with its thread, as the service reads them. */
export class Versions {
  readonly tree: Branching<ChatMessage>;
  readonly path: ChatMessage[];

  constructor(
    readonly conversationId: string,
    readonly messages: ChatMessage[],
    readonly thread: ConversationThread | undefined,
  ) {
    this.tree = branching(messages, thread?.parents ?? {});
    this.path = activePath(this.tree, thread?.selected ?? {});
  }

  get settings(): ChatSettings {
    return this.thread?.settings ?? {};
  }

  /** The shown branch up to and including `id` (which must be on it). */
  pathThrough(id: string): ChatMessage[] {
    if (id === START) return [];
    const end = this.path.findIndex((message) => message.id === id);
    return this.path.slice(0, end + 1);
  }

  /** A message of the shown branch, or a refusal naming what is wrong. */
  shown(id: string, type: ChatMessage["messageType"]): ChatMessage {
    const message = this.path.find((m) => m.id === id);
    if (!message) {
      const known = this.tree.byId.has(id);
      throw new ConversationError(
        known
          ? `message ${JSON.stringify(id)} is not on the shown branch: select its version first`
          : `no message ${JSON.stringify(id)} in this conversation`,
        known ? "bad_request" : "not_found",
      );
    }
    if (message.messageType !== type) {
      throw new ConversationError(
        `message ${
          JSON.stringify(id)
        } is a ${message.messageType.toLowerCase()}, not a ${type.toLowerCase()}`,
        "bad_request",
      );
    }
    return message;
  }

  parentOf(id: string): string {
    return this.tree.parentOf.get(id) ?? START;
  }

  /**
   * The links once message `id` is added under `parent`. Creation order puts it last, so it
   * needs a parent entry only when `parent` is not the newest message; a version (a parent that
   * has children already) becomes the selected one there.
   */
  linksWith(id: string, parent: string, links: ThreadLinks = this.links()): ThreadLinks {
    const newest = this.messages.at(-1)?.id ?? START;
    const parents = parent === newest ? links.parents : { ...links.parents, [id]: parent };
    const versionOf = this.tree.children.has(parent);
    const selected = versionOf ? { ...links.selected, [parent]: id } : links.selected;
    return { parents, selected };
  }

  links(): ThreadLinks {
    return { parents: this.thread?.parents ?? {}, selected: this.thread?.selected ?? {} };
  }

  /** The thread with these links/settings, or null when nothing would change. */
  nextThread(
    stamp: { originNode: string; hlc: string },
    change: ThreadChange,
  ): ConversationThread | null {
    const current = this.thread;
    const next: ConversationThread = {
      conversationId: this.conversationId,
      ...stamp,
      parents: change.links?.parents ?? current?.parents ?? {},
      selected: change.links?.selected ?? current?.selected ?? {},
      settings: change.settings ?? current?.settings ?? {},
      ...(change.forkedFrom ?? current?.forkedFrom
        ? { forkedFrom: change.forkedFrom ?? current?.forkedFrom }
        : {}),
    };
    if (current && sameThread(current, next)) return null;
    if (!current && isEmptyThread(next)) return null;
    return next;
  }
}

/** What a change of a thread changes. */
export interface ThreadChange {
  links?: ThreadLinks;
  settings?: ChatSettings;
  forkedFrom?: ForkedFrom;
}

/** A change of chat settings: a value sets a field, `null` removes it. */
export type SettingsPatch = { [K in keyof ChatSettings]?: ChatSettings[K] | null };

/** Settings with `patch` applied: a value sets a field, `null` removes it. */
export function patchSettings(
  settings: ChatSettings,
  patch: SettingsPatch,
): ChatSettings {
  const next: Record<string, unknown> = { ...settings };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete next[key];
    else if (value !== undefined) next[key] = value;
  }
  return next as ChatSettings;
}

/**
 * The parent entries of a copy of `source` whose messages get new ids (`idOf`) in the same
 * order: one wherever a message does not follow the one before it, as in the source.
 */
export function copiedLinks(
  source: Versions,
  idOf: (id: string) => string,
): ThreadLinks {
  const parents: Record<string, string> = {};
  let previous = START;
  for (const message of source.messages) {
    const parent = source.parentOf(message.id);
    if (parent !== previous) parents[idOf(message.id)] = parent === START ? START : idOf(parent);
    previous = message.id;
  }
  const selected: Record<string, string> = {};
  for (const [parent, child] of Object.entries(source.thread?.selected ?? {})) {
    if (!source.tree.byId.has(child)) continue;
    selected[parent === START ? START : idOf(parent)] = idOf(child);
  }
  return { parents, selected };
}

function sameThread(a: ConversationThread, b: ConversationThread): boolean {
  const text = (t: ConversationThread) =>
    canonicalJson([t.parents, t.selected, t.settings, t.forkedFrom ?? null]);
  return text(a) === text(b);
}

function isEmptyThread(thread: ConversationThread): boolean {
  return Object.keys(thread.parents).length === 0 &&
    Object.keys(thread.selected).length === 0 &&
    Object.keys(thread.settings).length === 0 && !thread.forkedFrom;
}
