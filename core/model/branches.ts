/**
 * How a conversation's messages branch into versions, from its messages (in creation order) and
 * its thread's `parents` and `selected` (see ConversationThread). Pure and free of dependencies:
 * the server and the page compute the shown branch the same way.
 *
 * Every message has exactly one parent (a message before it, or START), so the messages always
 * form a tree, whatever a thread says: a parent that is unknown or not earlier (a link that
 * arrived before its message, or a bad one) counts as absent.
 */

/** The parent of a conversation's first message(s). */
export const START = "";

export interface ThreadLinks {
  /** Messages that do not follow the message before them: id → the message they follow. */
  parents: Readonly<Record<string, string>>;
  /** Per parent id (START for the start): the child shown. */
  selected: Readonly<Record<string, string>>;
}

export const NO_LINKS: ThreadLinks = { parents: {}, selected: {} };

export interface Branching<T extends { id: string }> {
  byId: Map<string, T>;
  parentOf: Map<string, string>;
  /** Parent id → its children in creation order: the versions at that point. */
  children: Map<string, string[]>;
}

/** The tree of `messages` (in creation order). */
export function branching<T extends { id: string }>(
  messages: readonly T[],
  parents: ThreadLinks["parents"],
): Branching<T> {
  const byId = new Map<string, T>();
  const parentOf = new Map<string, string>();
  const children = new Map<string, string[]>();
  let previous = START;
  for (const message of messages) {
    if (byId.has(message.id)) continue;
    const named = Object.hasOwn(parents, message.id) ? parents[message.id] : undefined;
    const parent = named !== undefined && (named === START || byId.has(named)) ? named : previous;
    byId.set(message.id, message);
    parentOf.set(message.id, parent);
    const siblings = children.get(parent);
    if (siblings) siblings.push(message.id);
    else children.set(parent, [message.id]);
    previous = message.id;
  }
  return { byId, parentOf, children };
}

/** The shown branch: from the start, the selected child at each point, else the newest. */
export function activePath<T extends { id: string }>(
  tree: Branching<T>,
  selected: ThreadLinks["selected"],
): T[] {
  const path: T[] = [];
  let at = START;
  for (let kids = tree.children.get(at); kids; kids = tree.children.get(at)) {
    const chosen = Object.hasOwn(selected, at) ? selected[at] : undefined;
    at = chosen !== undefined && kids.includes(chosen) ? chosen : kids[kids.length - 1];
    path.push(tree.byId.get(at)!);
  }
  return path;
}

/** The versions of a message: it and its siblings, oldest first. */
export function versionsOf<T extends { id: string }>(tree: Branching<T>, id: string): string[] {
  const parent = tree.parentOf.get(id);
  return parent === undefined ? [] : tree.children.get(parent) ?? [];
}

/** The shown branch of `messages`, and the versions of each of its messages that has some. */
export function shownBranch<T extends { id: string }>(
  messages: readonly T[],
  links: ThreadLinks,
): { path: T[]; versions: Record<string, string[]> } {
  const tree = branching(messages, links.parents);
  const path = activePath(tree, links.selected);
  const versions: Record<string, string[]> = {};
  for (const message of path) {
    const ids = versionsOf(tree, message.id);
    if (ids.length > 1) versions[message.id] = ids;
  }
  return { path, versions };
}
