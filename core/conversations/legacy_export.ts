/**
 * `neuromesh export DIR`: every conversation of a node in the original NeuroMesh's file layout
 * (see legacy_files.ts), plus a manifest that makes our own export → import loss-free.
 * History imported from another device's files goes back to the folder it came from, with the
 * id its file had, so an original's files come out as they went in.
 */
import { loadOrCreateIdentity } from "../identity/identity.ts";
import { ConversationStore } from "../store/store.ts";
import {
  LATEST_FILE,
  type Manifest,
  MANIFEST_FILE,
  safeName,
  shownMessages,
  stableId,
  toLegacyConversation,
} from "./legacy_files.ts";
import type {
  Conversation,
  ConversationHeader,
  ConversationThread,
} from "../model/conversation.ts";
import { toConversation } from "./views.ts";

export interface ExportResult {
  local: number;
  received: number;
  messages: number;
  files: string[];
}

interface Exported {
  conversation: Conversation;
  header: ConversationHeader;
  thread: ConversationThread | undefined;
  /** `conversations` or `received/<name>`. */
  folder: string;
}

/** Writes every conversation of `store` into `dir` (see legacy_files.ts for the layout). */
export async function exportConversations(
  store: ConversationStore,
  dir: string,
  node: { id: string; name: string },
): Promise<ExportResult> {
  const all = store.summaries().map(({ header }) => ({
    header,
    conversation: toConversation(
      header,
      store.messages(header.id),
      node.id,
      store.thread(header.id),
    ),
    thread: store.thread(header.id),
  })).sort((a, b) => newestFirst(a.conversation, b.conversation));
  const folderOf = receivedFolders(all);
  const exported: Exported[] = all.map((entry) => ({
    ...entry,
    folder: entry.conversation.readOnly
      ? `received/${folderOf.get(entry.conversation.originNode)}`
      : "conversations",
  }));
  const manifest: Manifest = {
    format: "neuromesh-export",
    version: 1,
    exportedAt: new Date().toISOString(),
    node,
    conversations: [],
  };
  const result: ExportResult = { local: 0, received: 0, messages: 0, files: [] };
  const latest = latestPerFolder(exported);
  for (const { conversation, header, folder, thread } of exported) {
    const file = `${folder}/${fileNameFor(conversation.id)}`;
    const legacy = toLegacyConversation(conversation, header.importedFrom?.id);
    await writeJson(dir, file, legacy);
    result.files.push(file);
    if (latest.get(folder) === conversation.id) {
      await writeJson(dir, `${folder}/${LATEST_FILE}`, legacy);
      result.files.push(`${folder}/${LATEST_FILE}`);
    }
    const shown = shownMessages(conversation);
    const onPath = new Set(conversation.path);
    const versions = conversation.messages.filter((message) => !onPath.has(message.id));
    manifest.conversations.push({
      file,
      header,
      messages: shown.map(({ content: _c, conversationId: _id, ...meta }) => meta),
      ...(versions.length > 0 ? { versions } : {}),
      ...(thread ? { thread } : {}),
    });
    if (conversation.readOnly) result.received++;
    else result.local++;
    result.messages += conversation.messages.length;
  }
  await writeJson(dir, MANIFEST_FILE, manifest);
  result.files.push(MANIFEST_FILE);
  return result;
}

function newestFirst(a: Conversation, b: Conversation): number {
  if (a.updatedAt !== b.updatedAt) return a.updatedAt < b.updatedAt ? 1 : -1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * One folder under `received/` per node or device a conversation is shown as received from,
 * unique. History imported from a `received/<folder>/` file goes back to that folder name.
 */
function receivedFolders(all: { header: ConversationHeader; conversation: Conversation }[]) {
  const wanted = new Map<string, string>();
  for (const { header, conversation } of all) {
    if (!conversation.readOnly || wanted.has(conversation.originNode)) continue;
    const [top, folder] = header.importedFrom?.device ? header.importedFrom.file.split("/") : [];
    wanted.set(
      conversation.originNode,
      (top === "received" && safeName(folder ?? "")) || safeName(conversation.originName) ||
        safeName(conversation.originNode) || "peer",
    );
  }
  const folders = new Map<string, string>();
  const taken = new Set<string>();
  // Sorted, so the same store always gives the same folders.
  for (const origin of [...wanted.keys()].sort()) {
    let name = wanted.get(origin)!;
    if (taken.has(name)) name = `${name}-${stableId([origin]).slice(0, 8)}`;
    taken.add(name);
    folders.set(origin, name);
  }
  return folders;
}

/**
 * What each folder's local.json holds (the conversation the original opens): the conversation
 * imported from that folder's local.json if there is one, else the most recently active.
 */
function latestPerFolder(exported: Exported[]): Map<string, string> {
  const latest = new Map<string, { id: string; fromLatest: boolean }>();
  // Newest first: the first conversation of a folder is its most recently active.
  for (const { conversation, header, folder } of exported) {
    const fromLatest = header.importedFrom?.device !== undefined &&
      header.importedFrom.file.endsWith(`/${LATEST_FILE}`);
    const held = latest.get(folder);
    if (!held || (fromLatest && !held.fromLatest)) {
      latest.set(folder, { id: conversation.id, fromLatest });
    }
  }
  return new Map([...latest].map(([folder, { id }]) => [folder, id]));
}

function fileNameFor(conversationId: string): string {
  // Ids made of safe characters name their file; others (and "local") a hash of the id, so
  // files never collide with local.json nor between ids that differ in unsafe characters.
  return /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(conversationId) && conversationId !== "local"
    ? `${conversationId}.json`
    : `${stableId([conversationId])}.json`;
}

async function writeJson(dir: string, file: string, value: unknown) {
  const path = `${dir}/${file}`;
  await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
  const tmp = `${path}.tmp`;
  await Deno.writeTextFile(tmp, JSON.stringify(value, null, 2));
  await Deno.rename(tmp, path);
}

/** `neuromesh export DIR`: exports the conversations of the node whose data dir is `dataDir`. */
export async function runExport(dataDir: string, dir: string): Promise<ExportResult> {
  const identity = await loadOrCreateIdentity(dataDir);
  const store = ConversationStore.open(dataDir, { nodeId: identity.nodeId });
  try {
    return await exportConversations(store, dir, { id: identity.nodeId, name: identity.name });
  } finally {
    store.close();
  }
}
