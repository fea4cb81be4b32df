/**
 * The conversation data model, shared by the store, the sync wire records and the HTTP API.
 * Every record received from a peer or a file is checked against these schemas.
 */
import { z } from "zod";
import { HLC_PATTERN } from "../time/hlc.ts";
import { plainPreview } from "./plain_text.ts";
import { isRfc3339 } from "./rfc3339.ts";

/** Longest message text accepted (a pasted document fits; a runaway peer does not). */
export const MAX_CONTENT_CHARS = 4 * 1024 * 1024;
export const MAX_TITLE_CHARS = 200;
export const DEFAULT_TITLE = "New conversation";

export const NodeId = z.string().min(1).max(128);
export const RecordId = z.string().min(1).max(128);
export const Hlc = z.string().max(160).regex(HLC_PATTERN, "must be an HLC stamp");
export const Timestamp = z.string().max(64).refine(isRfc3339, "must be an RFC 3339 timestamp");

/** The node a message or conversation belongs to, as shown to the user. */
export const HostInfo = z.object({
  nodeId: NodeId,
  nodeName: z.string().max(128),
  model: z.string().max(256).optional(),
  ipAddress: z.string().max(64).optional(),
  isLlmHost: z.boolean(),
});
export type HostInfo = z.infer<typeof HostInfo>;

/** Which node and model produced an answer (same shape as the LLM layer's ServedBy). */
export const ServedBy = z.object({
  nodeId: NodeId,
  nodeName: z.string().max(128),
  model: z.string().max(256),
});
export type ServedBy = z.infer<typeof ServedBy>;

/** Why an answer left a host: lost (`died`), silent (`stalled`), full (`busy`) or `error`. */
export const FailoverReason = z.enum(["died", "stalled", "error", "busy"]);
export type FailoverReason = z.infer<typeof FailoverReason>;

/** The host an answer left for another one, and why (records of older versions lack `reason`). */
export const FailoverNote = ServedBy.extend({ reason: FailoverReason.optional() });
export type FailoverNote = z.infer<typeof FailoverNote>;

export const MessageStats = z.object({
  tokens: z.number().int().nonnegative(),
  durationMs: z.number().nonnegative(),
  tokensPerSec: z.number().nonnegative(),
});
export type MessageStats = z.infer<typeof MessageStats>;

export const MessageType = z.enum(["Question", "Response"]);
export type MessageType = z.infer<typeof MessageType>;

/**
 * One message. Immutable once `complete`; a streaming response grows, each growth being a new
 * version with a newer `hlc`. `createdHlc` never changes and orders messages in a conversation.
 */
export const ChatMessage = z.object({
  id: RecordId,
  conversationId: RecordId,
  content: z.string().max(MAX_CONTENT_CHARS),
  timestamp: Timestamp,
  sender: z.string().max(256),
  messageType: MessageType,
  hostInfo: HostInfo,
  model: z.string().max(256).optional(),
  originNode: NodeId,
  /** Version of this record: newer growth of a streaming response has a newer stamp. */
  hlc: Hlc,
  /** Stamp at creation: the message's place in its conversation. */
  createdHlc: Hlc,
  /** False while a response is still streaming. */
  complete: z.boolean(),
  stats: MessageStats.optional(),
  /** The host the answer switched away from when its first host failed, and why. */
  failover: FailoverNote.optional(),
  /** The user stopped the answer; `content` is what had arrived. */
  stopped: z.boolean().optional(),
  /** Why the answer failed, when it did. */
  error: z.string().max(2000).optional(),
});
export type ChatMessage = z.infer<typeof ChatMessage>;

/** A conversation without its messages: what the `conversation` sync record carries. */
export const ConversationHeader = z.object({
  id: RecordId,
  title: z.string().max(MAX_TITLE_CHARS),
  originNode: NodeId,
  hostInfo: HostInfo,
  createdAt: Timestamp,
  shared: z.boolean(),
  /** Version of the header: title and sharing edits are last-writer-wins by this stamp. */
  hlc: Hlc,
  /**
   * History imported from files (see legacy_files.ts): owned by the node that imported it,
   * and when `device` is set, shown as received from that device (read-only).
   */
  importedFrom: z.object({
    /** The file's path in the imported folder, e.g. `received/192.168.1.41/local.json`. */
    file: z.string().max(1024),
    /** The id the file gave the conversation (the original NeuroMesh writes "local"). */
    id: RecordId,
    device: z.object({ name: z.string().max(128), ipAddress: z.string().max(64).optional() })
      .optional(),
  }).optional(),
});
export type ConversationHeader = z.infer<typeof ConversationHeader>;

/** Longest system prompt of a chat. */
export const MAX_SYSTEM_PROMPT_CHARS = 20_000;
/** Most entries of a thread's `parents` or `selected` (bounds a record a peer may send). */
export const MAX_THREAD_LINKS = 10_000;

/** A chat's own settings, sent with every question of it to whichever host answers. */
export const ChatSettings = z.object({
  /** The system turn put before the conversation. */
  systemPrompt: z.string().max(MAX_SYSTEM_PROMPT_CHARS).optional(),
  /** Ollama `temperature`. */
  temperature: z.number().min(0).max(2).optional(),
  /** Ollama `num_ctx`: tokens of context the host loads the model with. */
  contextLength: z.number().int().min(256).max(1_048_576).optional(),
  /** The model this chat asks (absent: the page's default, or Auto). */
  model: z.string().min(1).max(256).optional(),
});
export type ChatSettings = z.infer<typeof ChatSettings>;

/** Where a "Continue here" copy was copied from. */
export const ForkedFrom = z.object({
  conversationId: RecordId,
  nodeId: NodeId,
  nodeName: z.string().max(128),
});
export type ForkedFrom = z.infer<typeof ForkedFrom>;

const boundedRecord = <V extends z.ZodType>(value: V) =>
  z.record(z.string().max(128), value).refine(
    (links) => Object.keys(links).length <= MAX_THREAD_LINKS,
    `must have at most ${MAX_THREAD_LINKS} entries`,
  );

/**
 * What a conversation's messages alone do not say, kept in one record per conversation (the
 * `thread` sync record, last writer wins by `hlc`, written by the owner only):
 *
 * - `parents`: a message whose place is not right after the message before it (in creation
 *   order) names the message it follows; `""` is the start. An edited question follows what the
 *   original followed; a regenerated answer follows its question. Every other message follows
 *   the one before it, so conversations without versions need no entry at all.
 * - `selected`: per branch point (a parent id, `""` for the start), the version shown; without
 *   an entry, the newest.
 * - `settings`, and `forkedFrom` for a "Continue here" copy.
 *
 * A node that does not know thread records shows every message in creation order (versions one
 * after another), as before versions existed; see docs/conversations.md.
 */
export const ConversationThread = z.object({
  conversationId: RecordId,
  originNode: NodeId,
  hlc: Hlc,
  parents: boundedRecord(z.string().max(128)),
  selected: boundedRecord(RecordId),
  settings: ChatSettings,
  forkedFrom: ForkedFrom.optional(),
});
export type ConversationThread = z.infer<typeof ConversationThread>;

/** A deleted conversation. Tombstones sync, so a stale replica cannot bring it back. */
export const Tombstone = z.object({
  conversationId: RecordId,
  hlc: Hlc,
  deletedBy: NodeId,
});
export type Tombstone = z.infer<typeof Tombstone>;

/** A whole conversation as the API serves it. */
export interface Conversation {
  id: string;
  title: string;
  originNode: string;
  originName: string;
  hostInfo: HostInfo;
  createdAt: string;
  updatedAt: string;
  shared: boolean;
  /** Received from another node: read only here (fork it to continue). */
  readOnly: boolean;
  deleted?: boolean;
  /** Every message, every version, in creation order (see `thread` for how they branch). */
  messages: ChatMessage[];
  /** The messages shown: the selected version at each branch point, in order (their ids). */
  path: string[];
  /** Per message of `path` that has other versions: all its versions' ids, oldest first. */
  versions: Record<string, string[]>;
  /** How messages branch, which versions are selected; settings; where a copy came from. */
  thread: ThreadView;
}

/** A conversation's thread as the API serves it; `hlc` is absent until it has one. */
export type ThreadView =
  & Pick<ConversationThread, "parents" | "selected" | "settings" | "forkedFrom">
  & { hlc?: string };

/** One row of the conversation list. */
export interface ConversationSummary {
  id: string;
  title: string;
  originNode: string;
  originName: string;
  createdAt: string;
  updatedAt: string;
  messageCount: number;
  preview: string;
  shared: boolean;
  readOnly: boolean;
  /** A "Continue here" copy: where it was copied from. */
  forkedFrom?: ForkedFrom;
  /** Stamp of the conversation's thread (versions shown, settings): a change means re-read it. */
  threadHlc?: string;
}

/** Orders messages in a conversation: creation stamp (wall, counter, node), then id. */
export function compareMessageOrder(a: ChatMessage, b: ChatMessage): number {
  if (a.createdHlc !== b.createdHlc) return a.createdHlc < b.createdHlc ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** A title for a conversation whose first question is `content`: its words, without markdown. */
export function titleFromQuestion(content: string): string {
  const line = plainPreview(content) || content.trim().split(/\s+/).join(" ");
  return line.length <= 60 ? line : `${line.slice(0, 57).trimEnd()}...`;
}
