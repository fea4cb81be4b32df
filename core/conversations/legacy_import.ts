/**
 * `neuromesh import DIR`: reads an export (ours, with its manifest) or the files of the
 * original NeuroMesh (see legacy_files.ts) into a node's store, as conversations of that node:
 *
 * - `conversations/*.json` become its own conversations;
 * - `received/<folder>/*.json` become conversations received from the device the file names
 *   (`host_info`), one per file, kept apart per folder;
 * - with our manifest, the node's own conversations come back exactly (same ids, stamps,
 *   models, statistics); other nodes' come back as received from them.
 *
 * Everything is written through the store's own commit path, so it is signed like any record
 * of this node. Importing is idempotent, and a directory imported by an earlier version (which
 * filed files by their id, merging every "local") is recognised rather than imported twice.
 */
import { loadOrCreateIdentity } from "../identity/identity.ts";
import { ConversationStore } from "../store/store.ts";
import { newConversationId } from "../sync/authority.ts";
import { canonicalJson } from "../sync/merge.ts";
import { decodeHlc, encodeHlc, HybridClock } from "../time/hlc.ts";
import type { RecordValue, SyncRecord } from "../sync/records.ts";
import { signerForIdentity } from "../sync/record_signature.ts";
import {
  importedConversationRecords,
  LATEST_FILE,
  type LegacyConversation,
  legacyMessageIds,
  Manifest,
  MANIFEST_FILE,
  type ManifestEntry,
  parseLegacyConversation,
  stableId,
} from "./legacy_files.ts";
import { type ChatMessage, type ConversationHeader, RecordId } from "../model/conversation.ts";
import { START } from "../model/branches.ts";

/** What one file became. */
export type FileOutcome =
  | {
    file: string;
    kind: "own" | "received";
    /** For `received`: the device (or node) it is shown as received from. */
    from?: { name: string; ipAddress?: string };
    conversationId: string;
    title: string;
    /** Messages in the file. */
    messages: number;
    /** Of those, how many were new (or changed) here. */
    added: number;
  }
  | {
    file: string;
    kind: "skipped";
    reason: string;
    /** True when the file could not be read as a conversation (not merely held already). */
    problem: boolean;
  };

export interface ImportResult {
  /** Conversation files read (imported, held already, or copies of another). */
  files: number;
  /** Conversations that were new or changed. */
  conversations: number;
  /** Messages that were new or changed. */
  messages: number;
  /** Every file looked at, in the order read. */
  outcomes: FileOutcome[];
  /** Conversations an earlier version made of these files, replaced by one per file. */
  replaced: { conversationId: string; messages: number; files: string[] }[];
}

interface Source {
  file: string;
  /** For files under `received/`: their folder there. */
  receivedIn?: string;
}

interface Read extends Source {
  legacy: LegacyConversation;
  meta?: ManifestEntry;
}

/** A folder that is not an export as a whole (no layout, a damaged manifest): nothing read. */
export class ExportFolderError extends Error {
  override name = "ExportFolderError";
}

/** Reads `dir` into `store`. See the module comment. */
export async function importConversations(
  store: ConversationStore,
  dir: string,
): Promise<ImportResult> {
  const self = store.nodeId;
  const manifest = await readManifest(dir);
  const byFile = new Map(manifest?.conversations.map((entry) => [entry.file, entry]) ?? []);
  const sources = await listSources(dir);
  const outcomes = new Map<string, FileOutcome>();
  const skip = (file: string, reason: string, problem: boolean) =>
    outcomes.set(file, { file, kind: "skipped", reason, problem });

  // Read every file; a copy of a file already read in the same folder is the same conversation.
  const reads: Read[] = [];
  const seen = new Map<string, string>();
  for (const source of sources) {
    let json: unknown;
    try {
      json = JSON.parse(await Deno.readTextFile(`${dir}/${source.file}`));
    } catch (error) {
      skip(source.file, `not readable JSON: ${(error as Error).message}`, true);
      continue;
    }
    const parsed = parseLegacyConversation(json);
    if (!parsed.ok) {
      skip(source.file, `not a conversation file: ${parsed.error}`, true);
      continue;
    }
    const folder = source.file.slice(0, source.file.lastIndexOf("/"));
    const key = `${folder}\u0000${canonicalJson(parsed.legacy)}`;
    const twin = seen.get(key);
    if (twin) {
      skip(source.file, `a copy of ${twin}`, false);
      continue;
    }
    seen.set(key, source.file);
    const meta = byFile.get(source.file);
    reads.push({
      ...source,
      legacy: parsed.legacy,
      meta: meta && matches(meta, parsed.legacy) ? meta : undefined,
    });
  }

  const earlier = earlierImports(store, reads.filter((read) => !read.meta));
  const result: ImportResult = {
    files: 0,
    conversations: 0,
    messages: 0,
    outcomes: [],
    replaced: [],
  };
  for (const read of reads) {
    const held = earlier.held.get(read.file);
    if (held) {
      skip(read.file, `its messages are all in conversation ${held} already`, false);
      continue;
    }
    const planned = plan(store, read);
    if ("skip" in planned) {
      skip(read.file, planned.skip, false);
      continue;
    }
    const applied = await commitInParts(store, planned.records);
    const added = applied.filter((r) => r.type === "message").length;
    if (applied.length > 0) result.conversations++;
    result.messages += added;
    const header = planned.records[0].value as ConversationHeader;
    const device = header.importedFrom?.device;
    outcomes.set(read.file, {
      file: read.file,
      kind: device ? "received" : "own",
      ...(device ? { from: device } : {}),
      conversationId: header.id,
      title: header.title,
      messages: planned.records.filter((r) => r.type === "message").length,
      added,
    });
  }

  // What an earlier version made by merging these files is now in one conversation per file.
  if (earlier.replace.size > 0) {
    const clock = new HybridClock(self, { last: store.lastOwnHlc() });
    for (const [conversationId, files] of earlier.replace) {
      const header = store.header(conversationId)!;
      const messages = store.messages(conversationId).length;
      const tombstone = { conversationId, hlc: clock.now(), deletedBy: self };
      store.commitLocal([{ type: "tombstone", value: tombstone }], {
        localOnly: header.originNode !== self,
      });
      result.replaced.push({ conversationId, messages, files });
    }
  }
  result.outcomes = sources.map((source) => outcomes.get(source.file)!);
  result.files = result.outcomes.filter((o) => o.kind !== "skipped" || !o.problem).length;
  return result;
}

/** Records signed and stored per part: a part of 1,000 takes ~0.1 s on a busy core. */
const COMMIT_PART = 1_000;

/**
 * Commits `records` in order, a part at a time, letting the node answer its peers and pages
 * between parts: a history of 40,000 messages held the event loop 5 s in one commit (signing
 * each), long enough at 32 MiB for peer links to time out. A crash midway leaves a prefix, and
 * importing the file again adds the rest (records have stable ids).
 */
async function commitInParts(
  store: ConversationStore,
  records: RecordValue[],
): Promise<SyncRecord[]> {
  const applied: SyncRecord[] = [];
  for (let at = 0; at < records.length; at += COMMIT_PART) {
    if (at > 0) await new Promise((resolve) => setTimeout(resolve, 0));
    for (const record of store.commitLocal(records.slice(at, at + COMMIT_PART))) {
      applied.push(record);
    }
  }
  return applied;
}

/** The records for one file, or why it is not imported. */
function plan(store: ConversationStore, read: Read): { records: RecordValue[] } | { skip: string } {
  const self = store.nodeId;
  if (!read.meta) {
    return importedConversationRecords(read.legacy, {
      self,
      file: read.file,
      receivedIn: read.receivedIn,
    });
  }
  const { header } = read.meta;
  if (header.originNode === self) return { records: fromManifest(read.meta, read.legacy) };
  // Another node's conversation: kept as it is when here already (it syncs from its owner),
  // else a conversation of this node shown as received from that one.
  if (store.header(header.id)) return { skip: `already here as conversation ${header.id}` };
  if (store.tombstone(header.id)) return { skip: `conversation ${header.id} was deleted here` };
  return { records: adoptFromManifest(self, read.file, read.meta, read.legacy) };
}

/** Whether a manifest entry describes this file as it is. */
function matches(meta: ManifestEntry, legacy: LegacyConversation): boolean {
  const id = meta.header.importedFrom?.id ?? meta.header.id;
  return id === legacy.id && meta.messages.length === legacy.messages.length &&
    meta.messages.every((m, i) => m.timestamp === legacy.messages[i].timestamp);
}

function fromManifest(meta: ManifestEntry, legacy: LegacyConversation): RecordValue[] {
  const messages = meta.messages.map((m, i): RecordValue => ({
    type: "message",
    value: { ...m, content: legacy.messages[i].content, conversationId: meta.header.id },
  }));
  // Other versions come whole from the manifest; the thread says how they hang together.
  const versions = (meta.versions ?? []).map((m): RecordValue => ({
    type: "message",
    value: { ...m, conversationId: meta.header.id },
  }));
  const thread: RecordValue[] = meta.thread
    ? [{ type: "thread", value: { ...meta.thread, conversationId: meta.header.id } }]
    : [];
  return [{ type: "conversation", value: meta.header }, ...messages, ...versions, ...thread];
}

/** Another node's exported conversation as this node's, marked as received from that node. */
function adoptFromManifest(
  self: string,
  file: string,
  meta: ManifestEntry,
  legacy: LegacyConversation,
): RecordValue[] {
  const { header } = meta;
  const id = newConversationId(self, stableId(["import", self, header.id]));
  const restamp = (hlc: string) => encodeHlc({ ...decodeHlc(hlc), nodeId: self });
  const host = header.hostInfo;
  const adopted: ConversationHeader = {
    ...header,
    id,
    originNode: self,
    hlc: restamp(header.hlc),
    importedFrom: {
      file,
      id: header.importedFrom?.id ?? header.id,
      device: header.importedFrom?.device ?? {
        name: host.nodeName || header.originNode,
        ...(host.ipAddress ? { ipAddress: host.ipAddress } : {}),
      },
    },
  };
  const newId = (old: string) => old === START ? START : stableId([id, old]);
  const adopt = (m: ChatMessage): RecordValue => ({
    type: "message",
    value: {
      ...m,
      id: newId(m.id),
      conversationId: id,
      originNode: self,
      hlc: restamp(m.hlc),
      createdHlc: restamp(m.createdHlc),
    },
  });
  const messages = meta.messages.map((m, i) =>
    adopt({ ...m, content: legacy.messages[i].content, conversationId: header.id })
  );
  const versions = (meta.versions ?? []).map(adopt);
  const thread: RecordValue[] = meta.thread
    ? [{
      type: "thread",
      value: {
        ...meta.thread,
        conversationId: id,
        originNode: self,
        hlc: restamp(meta.thread.hlc),
        parents: remapLinks(meta.thread.parents, newId),
        selected: remapLinks(meta.thread.selected, newId),
      },
    }]
    : [];
  return [{ type: "conversation", value: adopted }, ...messages, ...versions, ...thread];
}

/** Links (message id → message id, START kept) with every id renamed. */
function remapLinks(
  links: Record<string, string>,
  rename: (id: string) => string,
): Record<string, string> {
  return Object.fromEntries(Object.entries(links).map(([k, v]) => [rename(k), rename(v)]));
}

/**
 * Conversations an earlier version made of these files. It filed a file under the id the file
 * gave (every file of the original says "local", so they all merged into one) with
 * content-derived message ids. Such a conversation holding nothing but messages of these files
 * is replaced (`replace`: its id → the files); a file whose messages are all in another
 * conversation with its id already is not imported again (`held`: file → that conversation).
 */
function earlierImports(store: ConversationStore, reads: Read[]) {
  const byId = new Map<string, Read[]>();
  for (const read of reads) {
    const id = earlierId(read.legacy.id);
    byId.set(id, [...(byId.get(id) ?? []), read]);
  }
  const replace = new Map<string, string[]>();
  const held = new Map<string, string>();
  for (const [id, group] of byId) {
    const header = store.header(id);
    if (!header || header.importedFrom) continue;
    const messages = store.messages(id);
    const covered = new Set(group.flatMap((read) => legacyMessageIds(id, read.legacy)));
    if (messages.length > 0 && messages.every((m) => covered.has(m.id))) {
      replace.set(id, group.map((read) => read.file));
      continue;
    }
    const have = new Set(
      messages.map((m) => turn(m.timestamp, m.sender, m.messageType, m.content)),
    );
    for (const read of group) {
      const all = read.legacy.messages.every((m) =>
        have.has(turn(m.timestamp, m.sender, m.message_type, m.content))
      );
      if (all) held.set(read.file, id);
    }
  }
  return { replace, held };
}

/** The id an earlier version gave a file's conversation. */
function earlierId(legacyId: string): string {
  return RecordId.safeParse(legacyId).success ? legacyId : stableId(["conversation", legacyId]);
}

const turn = (...parts: string[]) => JSON.stringify(parts);

/** Conversation files: `conversations/*.json`, then `received/<folder>/*.json`. */
async function listSources(dir: string): Promise<Source[]> {
  const folders = await subfolders(dir, ".");
  if (!folders.includes("conversations") && !folders.includes("received")) {
    throw new ExportFolderError(
      `${dir} has no conversations/ or received/ folder: not an export of NeuroMesh`,
    );
  }
  const sources: Source[] = (await jsonFiles(dir, "conversations")).map((file) => ({ file }));
  for (const folder of await subfolders(dir, "received")) {
    for (const file of await jsonFiles(dir, `received/${folder}`)) {
      sources.push({ file, receivedIn: folder });
    }
  }
  return sources;
}

async function readManifest(dir: string): Promise<Manifest | undefined> {
  let text: string;
  try {
    text = await Deno.readTextFile(`${dir}/${MANIFEST_FILE}`);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ExportFolderError(
      `${dir}/${MANIFEST_FILE} is not a NeuroMesh export manifest: ${(error as Error).message}`,
    );
  }
  const parsed = Manifest.safeParse(json);
  if (!parsed.success) {
    throw new ExportFolderError(
      `${dir}/${MANIFEST_FILE} is not a NeuroMesh export manifest: ${
        parsed.error.issues[0].message
      }`,
    );
  }
  return parsed.data;
}

/** `*.json` files of a folder, `local.json` last (in our exports, a copy of another file). */
async function jsonFiles(dir: string, folder: string): Promise<string[]> {
  const names = await entries(dir, folder, (entry) => entry.isFile && entry.name.endsWith(".json"));
  names.sort((a, b) => (a === LATEST_FILE ? 1 : b === LATEST_FILE ? -1 : a < b ? -1 : 1));
  return names.map((name) => `${folder}/${name}`);
}

async function subfolders(dir: string, folder: string): Promise<string[]> {
  return (await entries(dir, folder, (entry) => entry.isDirectory)).sort();
}

async function entries(
  dir: string,
  folder: string,
  keep: (entry: Deno.DirEntry) => boolean,
): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const entry of Deno.readDir(`${dir}/${folder}`)) {
      if (keep(entry)) names.push(entry.name);
    }
  } catch (error) {
    if (error instanceof Deno.errors.NotFound && folder !== ".") return [];
    throw error;
  }
  return names;
}

/**
 * What `neuromesh import` prints: one line per file (what it became, or why it was skipped),
 * then the totals. `problems` are files that could not be read (for standard error).
 */
export function importReport(result: ImportResult, dir: string): {
  lines: string[];
  problems: string[];
} {
  const lines: string[] = [];
  const problems: string[] = [];
  for (const outcome of result.outcomes) {
    if (outcome.kind === "skipped") {
      (outcome.problem ? problems : lines).push(`skipped ${outcome.file}: ${outcome.reason}`);
      continue;
    }
    const what = outcome.kind === "own"
      ? "own conversation"
      : `received from ${outcome.from!.name}${
        outcome.from!.ipAddress ? ` (${outcome.from!.ipAddress})` : ""
      }`;
    lines.push(
      `${outcome.file}: ${what}, ${JSON.stringify(outcome.title)}, ${
        plural(outcome.messages, "message")
      } (${outcome.added} new)`,
    );
  }
  for (const replaced of result.replaced) {
    lines.push(
      `replaced conversation ${replaced.conversationId} (${
        plural(replaced.messages, "message")
      }, ` +
        `made of ${plural(replaced.files.length, "file")} by an earlier version) ` +
        `by one conversation per file`,
    );
  }
  const skipped = result.outcomes.filter((o) => o.kind === "skipped").length;
  lines.push(
    `imported ${result.conversations} conversations (${result.messages} new messages) ` +
      `from ${result.files} files in ${dir}${
        skipped ? `; ${plural(skipped, "file")} skipped` : ""
      }`,
  );
  return { lines, problems };
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/**
 * `neuromesh import DIR`: imports an export into the node whose data dir is `dataDir`, signed
 * with its key as it is written (so a running node can serve it to peers at once).
 */
export async function runImport(dataDir: string, dir: string): Promise<ImportResult> {
  const identity = await loadOrCreateIdentity(dataDir);
  const store = ConversationStore.open(dataDir, {
    nodeId: identity.nodeId,
    signer: await signerForIdentity(identity),
  });
  try {
    return await importConversations(store, dir);
  } finally {
    store.close();
  }
}
