/**
 * Versions of messages on the page: the open conversation's thread (how its messages branch,
 * which version is shown, its settings), updated in place while an answer streams so a new
 * version replaces the one it stands beside at once (the node's copy follows).
 */
import type { Conversation } from "../api/types.ts";
import { branching, START } from "../../core/model/branches.ts";
import type { ChatSettings, ThreadView } from "../../core/model/conversation.ts";

/** A change of chat settings: a value sets one, `null` removes it. */
export type SettingsPatch = { [K in keyof ChatSettings]?: ChatSettings[K] | null };

const EMPTY_THREAD: ThreadView = { parents: {}, selected: {}, settings: {} };

/** The conversation's thread (an empty one for a conversation that has none yet). */
export function threadOf(conversation: Conversation | null): ThreadView {
  return conversation?.thread ?? EMPTY_THREAD;
}

/** The thread with `id` placed under `parent` as its shown version. */
export function placeNewVersion(thread: ThreadView, id: string, parent: string): ThreadView {
  return {
    ...thread,
    parents: { ...thread.parents, [id]: parent },
    selected: { ...thread.selected, [parent]: id },
  };
}

/** The thread showing message `id`: selected at its branch point and every one above. */
export function selectShown(
  thread: ThreadView,
  messages: readonly { id: string }[],
  id: string,
): ThreadView {
  const tree = branching(messages, thread.parents);
  const selected = { ...thread.selected };
  for (let at = id; at !== START && tree.parentOf.has(at); at = tree.parentOf.get(at)!) {
    selected[tree.parentOf.get(at)!] = at;
  }
  return { ...thread, selected };
}

/** The message `id` follows in the conversation's tree (START for the first). */
export function parentIn(thread: ThreadView, messages: readonly { id: string }[], id: string) {
  return branching(messages, thread.parents).parentOf.get(id) ?? START;
}

/** The version `step` places before (-1) or after (+1) `id` among `versions`, if any. */
export function neighbourVersion(
  versions: readonly string[],
  id: string,
  step: -1 | 1,
): string | undefined {
  const index = versions.indexOf(id);
  return index === -1 ? undefined : versions[index + step];
}
