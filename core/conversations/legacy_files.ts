/**
 * The file layout of the original NeuroMesh (Rust), which `neuromesh export` writes and
 * `neuromesh import` reads (legacy_export.ts, legacy_import.ts):
 *
 *   DIR/conversations/local.json          the conversation of this node (the original keeps one)
 *   DIR/conversations/<id>.json           every conversation of this node, one per file
 *   DIR/received/<peer>/local.json        the conversation received from <peer> (the original
 *                                         names the folder by the peer's IP address)
 *   DIR/received/<peer>/<id>.json         every conversation received from <peer>
 *   DIR/neuromesh.json                    manifest: what the original's shape cannot hold
 *
 * Each conversation file has exactly the original's serde shape (snake_case, RFC 3339
 * timestamps with up to nine fractional digits). The original gives every file the id "local",
 * so a file's identity is where it lies, never its id alone.
 *
 * Imported history belongs to the node that imports it (only a conversation's origin writes
 * records about it, signed with its key): a file of another device becomes a conversation of
 * this node marked `importedFrom.device`, shown as received from that device. Messages keep
 * their sender, type, host and exact timestamps as data.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import { newConversationId } from "../sync/authority.ts";
import { encodeHlc } from "../time/hlc.ts";
import type { RecordValue } from "../sync/records.ts";
import {
  ChatMessage,
  type Conversation,
  ConversationHeader,
  ConversationThread,
  type HostInfo,
  NodeId,
  RecordId,
  Timestamp,
  titleFromQuestion,
} from "../model/conversation.ts";
import { rfc3339ToMs } from "../model/rfc3339.ts";

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
  id: RecordId,
  messages: z.array(LegacyMessage),
  host_info: LegacyHostInfo,
});
export type LegacyConversation = z.infer<typeof LegacyConversation>;

export const MANIFEST_FILE = "neuromesh.json";
export const LATEST_FILE = "local.json";

/** Per message, what the original's shape lacks (the content stays in the conversation file). */
export const ManifestMessage = ChatMessage.omit({ content: true, conversationId: true });
export const ManifestEntry = z.object({
  /** Path of the conversation file, relative to the export directory. */
  file: z.string(),
  header: ConversationHeader,
  /** The file's messages (the shown branch), in its order. */
  messages: z.array(ManifestMessage),
  /** Every other version (edited questions, regenerated answers) and what followed them, whole. */
  versions: z.array(ChatMessage).optional(),
  /** How the versions hang together, which are shown, the chat's settings. */
  thread: ConversationThread.optional(),
});
export type ManifestEntry = z.infer<typeof ManifestEntry>;
export const Manifest = z.object({
  format: z.literal("neuromesh-export"),
  version: z.literal(1),
  exportedAt: z.string(),
  node: z.object({ id: NodeId, name: z.string() }),
  conversations: z.array(ManifestEntry),
});
export type Manifest = z.infer<typeof Manifest>;

/** `json` as a file of the original's shape, or what is wrong with it. */
export function parseLegacyConversation(
  json: unknown,
): { ok: true; legacy: LegacyConversation } | { ok: false; error: string } {
  const parsed = LegacyConversation.safeParse(json);
  if (parsed.success) return { ok: true, legacy: parsed.data };
  const issue = parsed.error.issues[0];
  return { ok: false, error: `${issue.path.join(".") || "(root)"}: ${issue.message}` };
}

/** A conversation in the original's shape; `id` is what the file says (its import id, if any). */
export function toLegacyConversation(
  conversation: Conversation,
  id: string = conversation.id,
): LegacyConversation {
  return {
    id,
    messages: shownMessages(conversation).map((message) => ({
      content: message.content,
      timestamp: message.timestamp,
      sender: message.sender,
      message_type: message.messageType,
      host_info: legacyHost(message.hostInfo),
    })),
    host_info: legacyHost(conversation.hostInfo),
  };
}

/** The messages of the shown branch (every version is in `conversation.messages`). */
export function shownMessages(conversation: Conversation): Conversation["messages"] {
  const byId = new Map(conversation.messages.map((message) => [message.id, message]));
  return conversation.path.map((id) => byId.get(id)!);
}

function legacyHost(host: HostInfo): LegacyHostInfo {
  return { hostname: host.nodeName, ip_address: host.ipAddress ?? "", is_llm_host: host.isLlmHost };
}

/** Where a file of the original's shape is imported from. */
export interface ImportSource {
  /** The importing node: the owner of what it imports. */
  self: string;
  /** The file's path in the imported folder, e.g. `received/192.168.1.41/local.json`. */
  file: string;
  /** Set for a file received from another device: the `received/` folder it lies in. */
  receivedIn?: string;
  /** Whether this node shares it with its peers. @default true */
  shared?: boolean;
}

/**
 * A file of the original's shape as records of this node. The conversation id derives from
 * (this node, the file's path, its id, its host), so every file is a conversation of its own,
 * and importing the same file again (or a longer version of it) adds only what is new. Message
 * ids and stamps derive from the content and file order.
 */
export function importedConversationRecords(
  legacy: LegacyConversation,
  source: ImportSource,
): { conversationId: string; records: RecordValue[] } {
  const { self, file, receivedIn } = source;
  const conversationId = newConversationId(
    self,
    stableId(["import", self, file, legacy.id, legacy.host_info.hostname]),
  );
  const host = legacy.host_info;
  const device = receivedIn === undefined ? undefined : {
    name: host.hostname || receivedIn,
    ...(host.ip_address || isIpAddress(receivedIn)
      ? { ipAddress: host.ip_address || receivedIn }
      : {}),
  };
  return {
    conversationId,
    records: conversationRecords(legacy, {
      conversationId,
      owner: self,
      hostNodeId: device ? deviceNodeId(device.name, receivedIn!) : self,
      hostName: host.hostname,
      shared: source.shared ?? true,
      importedFrom: { file, id: legacy.id, ...(device ? { device } : {}) },
    }),
  };
}

interface ConversationPlan {
  conversationId: string;
  owner: string;
  /** Node id for the file's host (`host_info`) in header and messages. */
  hostNodeId: string;
  hostName: string;
  shared: boolean;
  importedFrom?: ConversationHeader["importedFrom"];
}

function conversationRecords(legacy: LegacyConversation, plan: ConversationPlan): RecordValue[] {
  const { conversationId, owner } = plan;
  const fileHost: HostInfo = {
    nodeId: plan.hostNodeId,
    nodeName: plan.hostName,
    ...(legacy.host_info.ip_address ? { ipAddress: legacy.host_info.ip_address } : {}),
    isLlmHost: legacy.host_info.is_llm_host,
  };
  const ids = legacyMessageIds(conversationId, legacy);
  let wall = 0;
  let counter = 0;
  const messages: ChatMessage[] = legacy.messages.map((message, index) => {
    // Stamps follow file order even when a host's clock made a later message look older.
    const ms = Math.max(Math.floor(rfc3339ToMs(message.timestamp)), 0);
    if (ms > wall) [wall, counter] = [ms, 0];
    else counter++;
    const stamp = encodeHlc({ wallMs: wall, counter: Math.min(counter, 999_999), nodeId: owner });
    const sameHost = message.host_info.hostname === legacy.host_info.hostname;
    return {
      id: ids[index],
      conversationId,
      content: message.content,
      timestamp: message.timestamp,
      sender: message.sender,
      messageType: message.message_type,
      hostInfo: {
        nodeId: sameHost
          ? plan.hostNodeId
          : `legacy-${safeName(message.host_info.hostname) || "host"}`,
        nodeName: message.host_info.hostname,
        ...(message.host_info.ip_address ? { ipAddress: message.host_info.ip_address } : {}),
        isLlmHost: message.host_info.is_llm_host,
      },
      originNode: owner,
      hlc: stamp,
      createdHlc: stamp,
      complete: true,
    };
  });
  const createdAt = legacy.messages[0]?.timestamp ?? "1970-01-01T00:00:00Z";
  const firstQuestion = legacy.messages.find((m) => m.message_type === "Question");
  const header: ConversationHeader = {
    id: conversationId,
    title: (firstQuestion && titleFromQuestion(firstQuestion.content)) || "Imported conversation",
    originNode: owner,
    hostInfo: fileHost,
    createdAt,
    shared: plan.shared,
    hlc: encodeHlc({
      wallMs: Math.max(Math.floor(rfc3339ToMs(createdAt)), 0),
      counter: 0,
      nodeId: owner,
    }),
    ...(plan.importedFrom ? { importedFrom: plan.importedFrom } : {}),
  };
  return [
    { type: "conversation", value: header },
    ...messages.map((value) => ({ type: "message" as const, value })),
  ];
}

/** Message ids of a file's messages in conversation `conversationId`: stable, content-derived. */
export function legacyMessageIds(conversationId: string, legacy: LegacyConversation): string[] {
  return legacy.messages.map((message, index) =>
    stableId([
      conversationId,
      String(index),
      message.timestamp,
      message.sender,
      message.message_type,
      message.content,
    ])
  );
}

/**
 * The node id shown for a device known only from its files: by name and folder, so a folder
 * that held different devices over time (addresses move) keeps them apart.
 */
function deviceNodeId(name: string, folder: string): string {
  return `legacy-${safeName(name) || "device"}@${safeName(folder) || "folder"}`.slice(0, 128);
}

/** A UUID-shaped id from SHA-256 of the parts: the same content always gives the same id. */
export function stableId(parts: string[]): string {
  const hex = createHash("sha256").update(parts.join("\u0000")).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${hex.slice(16, 20)}-${
    hex.slice(20, 32)
  }`;
}

/** A file-name-safe form of a peer or host name. */
export function safeName(name: string): string {
  return name.normalize("NFKC").replace(/[^\p{L}\p{N}._-]+/gu, "_").replace(/^[._]+/, "").slice(
    0,
    64,
  );
}

function isIpAddress(text: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(text) || /^[0-9a-f:]+$/i.test(text) && text.includes(":");
}
