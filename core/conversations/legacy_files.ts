/**
 * Export and import in the file layout of the original NeuroMesh (Rust):
 *
 *   DIR/conversations/local.json          the newest conversation of this node
 *   DIR/conversations/<id>.json           every conversation of this node, one per file
 *   DIR/received/<peer>/local.json        the newest conversation received from <peer>
 *   DIR/received/<peer>/<id>.json         every conversation received from <peer>
 *   DIR/neuromesh.json                    manifest: what the original's shape cannot hold
 *
 * Each conversation file has exactly the original's serde shape (snake_case, RFC 3339
 * timestamps with up to nine fractional digits). The manifest keeps titles, ids, stamps,
 * models and stats, so our own export → import is loss-free; without a manifest (files of the
 * original) ids and stamps are derived from the content, so importing twice adds nothing.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import { loadOrCreateIdentity } from "../identity/identity.ts";
import { ConversationStore } from "../store/store.ts";
import { encodeHlc } from "../sync/hlc.ts";
import type { RecordValue } from "../sync/records.ts";
import {
  ChatMessage,
  type Conversation,
  ConversationHeader,
  type HostInfo,
  NodeId,
  RecordId,
  Timestamp,
  titleFromQuestion,
} from "./model.ts";
import { rfc3339ToMs } from "./rfc3339.ts";
import { toConversation } from "./views.ts";

export const LegacyHostInfo = z.object({
  hostname: z.string(),
  ip_address: z.string().default(""),
  is_llm_host: z.boolean().default(false),
});
export type LegacyHostInfo = z.infer<typeof LegacyHostInfo>;

export const LegacyMessage = z.object({
  content: z.string(),
  timestamp: Timestamp,
  sender: z.string(),
  message_type: z.enum(["Question", "Response"]),
  host_info: LegacyHostInfo,
});
export type LegacyMessage = z.infer<typeof LegacyMessage>;

export const LegacyConversation = z.object({
  id: z.string(),
  messages: z.array(LegacyMessage),
  host_info: LegacyHostInfo,
});
export type LegacyConversation = z.infer<typeof LegacyConversation>;

const MANIFEST_FILE = "neuromesh.json";
const LATEST_FILE = "local.json";

/** Per message, what the original's shape lacks (the content stays in the conversation file). */
const ManifestMessage = ChatMessage.omit({ content: true, conversationId: true });
const ManifestEntry = z.object({
  /** Path of the conversation file, relative to the export directory. */
  file: z.string(),
  header: ConversationHeader,
  messages: z.array(ManifestMessage),
});
type ManifestEntry = z.infer<typeof ManifestEntry>;
const Manifest = z.object({
  format: z.literal("neuromesh-export"),
  version: z.literal(1),
  exportedAt: z.string(),
  node: z.object({ id: NodeId, name: z.string() }),
  conversations: z.array(ManifestEntry),
});
type Manifest = z.infer<typeof Manifest>;

/** A conversation in the original's shape. */
export function toLegacyConversation(conversation: Conversation): LegacyConversation {
  return {
    id: conversation.id,
    messages: conversation.messages.map((message) => ({
      content: message.content,
      timestamp: message.timestamp,
      sender: message.sender,
      message_type: message.messageType,
      host_info: legacyHost(message.hostInfo),
    })),
    host_info: legacyHost(conversation.hostInfo),
  };
}

function legacyHost(host: HostInfo): LegacyHostInfo {
  return { hostname: host.nodeName, ip_address: host.ipAddress ?? "", is_llm_host: host.isLlmHost };
}

export interface LegacyRecordOptions {
  /** Node the conversation is filed under (this node for `conversations/`, else the peer's). */
  originNode: string;
  /** Display name of that node when the file does not say. */
  originName?: string;
  shared: boolean;
}

export type LegacyParse =
  | { ok: true; conversationId: string; records: RecordValue[] }
  | { ok: false; error: string };

/**
 * Records for a conversation in the original's shape. Message ids and stamps derive from the
 * content (stable, so a second import matches the first); file order is kept.
 */
export function legacyConversationRecords(
  json: unknown,
  options: LegacyRecordOptions,
  meta?: ManifestEntry,
): LegacyParse {
  const parsed = LegacyConversation.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, error: `${issue.path.join(".") || "(root)"}: ${issue.message}` };
  }
  const legacy = parsed.data;
  if (meta && metaMatches(meta, legacy)) {
    return { ok: true, conversationId: meta.header.id, records: fromManifest(meta, legacy) };
  }

  const conversationId = RecordId.safeParse(legacy.id).success
    ? legacy.id
    : stableId(["conversation", legacy.id]);
  const origin = options.originNode;
  const originHost: HostInfo = {
    nodeId: origin,
    nodeName: legacy.host_info.hostname || options.originName || origin,
    ...(legacy.host_info.ip_address ? { ipAddress: legacy.host_info.ip_address } : {}),
    isLlmHost: legacy.host_info.is_llm_host,
  };
  let wall = 0;
  let counter = 0;
  const messages: ChatMessage[] = legacy.messages.map((message, index) => {
    // Stamps follow file order even when a host's clock made a later message look older.
    const ms = Math.max(Math.floor(rfc3339ToMs(message.timestamp)), 0);
    if (ms > wall) [wall, counter] = [ms, 0];
    else counter++;
    const stamp = encodeHlc({ wallMs: wall, counter: Math.min(counter, 999_999), nodeId: origin });
    const sameHost = message.host_info.hostname === legacy.host_info.hostname;
    return {
      id: stableId([
        conversationId,
        String(index),
        message.timestamp,
        message.sender,
        message.message_type,
        message.content,
      ]),
      conversationId,
      content: message.content,
      timestamp: message.timestamp,
      sender: message.sender,
      messageType: message.message_type,
      hostInfo: {
        nodeId: sameHost ? origin : `legacy-${safeName(message.host_info.hostname) || "host"}`,
        nodeName: message.host_info.hostname,
        ...(message.host_info.ip_address ? { ipAddress: message.host_info.ip_address } : {}),
        isLlmHost: message.host_info.is_llm_host,
      },
      originNode: origin,
      hlc: stamp,
      createdHlc: stamp,
      complete: true,
    };
  });
  const createdAt = legacy.messages[0]?.timestamp ?? "1970-01-01T00:00:00Z";
  const firstQuestion = legacy.messages.find((m) => m.message_type === "Question");
  const header: ConversationHeader = {
    id: conversationId,
    title: firstQuestion
      ? titleFromQuestion(firstQuestion.content) || "Imported conversation"
      : "Imported conversation",
    originNode: origin,
    hostInfo: originHost,
    createdAt,
    shared: options.shared,
    hlc: encodeHlc({
      wallMs: Math.max(Math.floor(rfc3339ToMs(createdAt)), 0),
      counter: 0,
      nodeId: origin,
    }),
  };
  return {
    ok: true,
    conversationId,
    records: [
      { type: "conversation", value: header },
      ...messages.map((value) => ({ type: "message" as const, value })),
    ],
  };
}

function metaMatches(meta: ManifestEntry, legacy: LegacyConversation): boolean {
  return meta.header.id === legacy.id && meta.messages.length === legacy.messages.length &&
    meta.messages.every((m, i) => m.timestamp === legacy.messages[i].timestamp);
}

function fromManifest(meta: ManifestEntry, legacy: LegacyConversation): RecordValue[] {
  const messages = meta.messages.map((m, i): RecordValue => ({
    type: "message",
    value: { ...m, content: legacy.messages[i].content, conversationId: meta.header.id },
  }));
  return [{ type: "conversation", value: meta.header }, ...messages];
}

/** A UUID-shaped id from SHA-256 of the parts: the same content always gives the same id. */
export function stableId(parts: string[]): string {
  const hex = createHash("sha256").update(parts.join("\u0000")).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${hex.slice(16, 20)}-${
    hex.slice(20, 32)
  }`;
}

/** A file-name-safe form of a peer or host name. */
function safeName(name: string): string {
  return name.normalize("NFKC").replace(/[^\p{L}\p{N}._-]+/gu, "_").replace(/^[._]+/, "").slice(
    0,
    64,
  );
}

// ---- export --------------------------------------------------------------------------

export interface ExportResult {
  local: number;
  received: number;
  messages: number;
  files: string[];
}

/** Writes every conversation of `store` into `dir` (see the module comment for the layout). */
export async function exportConversations(
  store: ConversationStore,
  dir: string,
  node: { id: string; name: string },
): Promise<ExportResult> {
  const conversations = store.summaries()
    .map((s) => toConversation(s.header, store.messages(s.header.id), node.id))
    .sort((
      a,
      b,
    ) => (a.updatedAt < b.updatedAt ? 1 : a.updatedAt > b.updatedAt ? -1 : a.id < b.id ? -1 : 1));
  const manifest: Manifest = {
    format: "neuromesh-export",
    version: 1,
    exportedAt: new Date().toISOString(),
    node,
    conversations: [],
  };
  const result: ExportResult = { local: 0, received: 0, messages: 0, files: [] };
  const folderOf = peerFolders(conversations.filter((c) => c.originNode !== node.id));
  const newestIn = new Set<string>();
  for (const conversation of conversations) {
    const local = conversation.originNode === node.id;
    const folder = local ? "conversations" : `received/${folderOf.get(conversation.originNode)}`;
    const file = `${folder}/${fileNameFor(conversation.id)}`;
    const legacy = toLegacyConversation(conversation);
    await writeJson(dir, file, legacy);
    result.files.push(file);
    if (!newestIn.has(folder)) {
      // Sorted newest first: the first one of each folder is what the original opens.
      newestIn.add(folder);
      await writeJson(dir, `${folder}/${LATEST_FILE}`, legacy);
      result.files.push(`${folder}/${LATEST_FILE}`);
    }
    manifest.conversations.push({
      file,
      header: store.header(conversation.id)!,
      messages: conversation.messages.map(({ content: _c, conversationId: _id, ...meta }) => meta),
    });
    if (local) result.local++;
    else result.received++;
    result.messages += conversation.messages.length;
  }
  await writeJson(dir, MANIFEST_FILE, manifest);
  result.files.push(MANIFEST_FILE);
  return result;
}

/** One folder per origin node under `received/`, named after the node, unique. */
function peerFolders(received: Conversation[]): Map<string, string> {
  const folders = new Map<string, string>();
  const taken = new Set<string>();
  for (const conversation of received) {
    if (folders.has(conversation.originNode)) continue;
    let name = safeName(conversation.originName) || safeName(conversation.originNode) || "peer";
    if (taken.has(name)) name = `${name}-${safeName(conversation.originNode).slice(0, 7)}`;
    taken.add(name);
    folders.set(conversation.originNode, name);
  }
  return folders;
}

function fileNameFor(conversationId: string): string {
  const name = safeName(conversationId);
  // Never collide with local.json, nor between ids that only differ in unsafe characters.
  return name && name !== "local" && name === conversationId
    ? `${name}.json`
    : `${stableId([conversationId])}.json`;
}

async function writeJson(dir: string, file: string, value: unknown) {
  const path = `${dir}/${file}`;
  await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
  const tmp = `${path}.tmp`;
  await Deno.writeTextFile(tmp, JSON.stringify(value, null, 2));
  await Deno.rename(tmp, path);
}

// ---- import --------------------------------------------------------------------------

export interface ImportResult {
  /** Conversation files read. */
  files: number;
  /** Conversations that were new or changed. */
  conversations: number;
  /** Messages that were new or changed. */
  messages: number;
  /** Files that could not be read, with the reason. */
  skipped: { file: string; reason: string }[];
}

/**
 * Reads an export (ours or the original's) into `store`. Merging is idempotent: importing
 * the same files again changes nothing. Conversations under `conversations/` without a
 * manifest entry become this node's own; under `received/<peer>/` they are filed as received
 * from that peer.
 */
export async function importConversations(
  store: ConversationStore,
  dir: string,
): Promise<ImportResult> {
  const manifest = await readManifest(dir);
  const byFile = new Map(manifest?.conversations.map((entry) => [entry.file, entry]) ?? []);
  const byId = new Map(manifest?.conversations.map((entry) => [entry.header.id, entry]) ?? []);
  const result: ImportResult = { files: 0, conversations: 0, messages: 0, skipped: [] };
  const sources: { file: string; options: LegacyRecordOptions }[] = [];
  for (const file of await jsonFiles(dir, "conversations")) {
    sources.push({ file, options: { originNode: store.nodeId, shared: true } });
  }
  for (const peer of await subfolders(dir, "received")) {
    for (const file of await jsonFiles(dir, `received/${peer}`)) {
      sources.push({
        file,
        options: {
          originNode: `legacy-${safeName(peer) || "peer"}`,
          originName: peer,
          shared: true,
        },
      });
    }
  }
  for (const { file, options } of sources) {
    let json: unknown;
    try {
      json = JSON.parse(await Deno.readTextFile(`${dir}/${file}`));
    } catch (error) {
      result.skipped.push({ file, reason: `not readable JSON: ${(error as Error).message}` });
      continue;
    }
    const id = (json as { id?: unknown })?.id;
    const meta = byFile.get(file) ?? (typeof id === "string" ? byId.get(id) : undefined);
    const parsed = legacyConversationRecords(json, options, meta);
    if (!parsed.ok) {
      result.skipped.push({ file, reason: parsed.error });
      continue;
    }
    result.files++;
    const applied = store.commitLocal(parsed.records);
    result.conversations += applied.filter((r) => r.type === "conversation").length;
    result.messages += applied.filter((r) => r.type === "message").length;
  }
  return result;
}

async function readManifest(dir: string): Promise<Manifest | undefined> {
  let text: string;
  try {
    text = await Deno.readTextFile(`${dir}/${MANIFEST_FILE}`);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
  const parsed = Manifest.safeParse(JSON.parse(text));
  if (!parsed.success) {
    throw new Error(
      `${dir}/${MANIFEST_FILE} is not a NeuroMesh export manifest: ${
        parsed.error.issues[0].message
      }`,
    );
  }
  return parsed.data;
}

/** `*.json` files of a folder, `local.json` last (usually a copy of another file). */
async function jsonFiles(dir: string, folder: string): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const entry of Deno.readDir(`${dir}/${folder}`)) {
      if (entry.isFile && entry.name.endsWith(".json")) names.push(entry.name);
    }
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
  names.sort((a, b) => (a === LATEST_FILE ? 1 : b === LATEST_FILE ? -1 : a < b ? -1 : 1));
  return names.map((name) => `${folder}/${name}`);
}

async function subfolders(dir: string, folder: string): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const entry of Deno.readDir(`${dir}/${folder}`)) {
      if (entry.isDirectory) names.push(entry.name);
    }
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
  return names.sort();
}

// ---- CLI entry points ----------------------------------------------------------------

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

/** `neuromesh import DIR`: imports an export into the node whose data dir is `dataDir`. */
export async function runImport(dataDir: string, dir: string): Promise<ImportResult> {
  const identity = await loadOrCreateIdentity(dataDir);
  const store = ConversationStore.open(dataDir, { nodeId: identity.nodeId });
  try {
    return await importConversations(store, dir);
  } finally {
    store.close();
  }
}
