/**
 * The merge rules of replicated conversations, as pure functions. Each record key holds a
 * join-semilattice of versions, so merging is commutative, associative and idempotent:
 *
 * - conversation header: last writer wins by `hlc` (title and sharing edits);
 * - message: `(complete, hlc)`: a complete version beats every streaming one, then newer wins;
 * - thread (how a conversation's messages branch, its settings): last writer wins by `hlc`;
 * - tombstone: absorbs its conversation's header and messages forever (a stale replica cannot
 *   bring a deleted conversation back); between tombstones the newer `hlc` wins.
 *
 * Equal stamps mean the same change, but a canonical JSON comparison breaks any tie anyway, so
 * the order is total and every replica picks the same winner.
 */
import type {
  ChatMessage,
  ConversationHeader,
  ConversationThread,
  Tombstone,
} from "../model/conversation.ts";
import type { RecordValue } from "./records.ts";

/** Identity of the record a version belongs to: one header, message or tombstone. */
export function recordKey(record: RecordValue): string {
  switch (record.type) {
    case "conversation":
      return `c:${record.value.id}`;
    case "message":
      return `m:${record.value.id}`;
    case "thread":
      return `v:${record.value.conversationId}`;
    case "tombstone":
      return `t:${record.value.conversationId}`;
  }
}

export function conversationIdOf(record: RecordValue): string {
  switch (record.type) {
    case "conversation":
      return record.value.id;
    case "message":
    case "thread":
    case "tombstone":
      return record.value.conversationId;
  }
}

/** Sign of `a` against `b`, two versions of the same record key: > 0 when `a` is newer. */
export function compareVersions(a: RecordValue, b: RecordValue): number {
  if (a.type !== b.type) throw new TypeError(`cannot compare a ${a.type} with a ${b.type}`);
  if (a.type === "message") {
    const [x, y] = [a.value, (b as typeof a).value];
    if (x.complete !== y.complete) return x.complete ? 1 : -1;
  }
  const [ha, hb] = [a.value.hlc, b.value.hlc];
  if (ha !== hb) return ha > hb ? 1 : -1;
  const [ja, jb] = [canonicalJson(a.value), canonicalJson(b.value)];
  return ja === jb ? 0 : ja > jb ? 1 : -1;
}

/** The join of two versions of one record key. */
export function joinVersions<R extends RecordValue>(a: R, b: R): R {
  return compareVersions(a, b) >= 0 ? a : b;
}

/**
 * Whether an incoming version changes a replica that holds `held` for the same key and
 * `tombstone` for the record's conversation.
 */
export function shouldApply(
  incoming: RecordValue,
  held: RecordValue | undefined,
  tombstone: Tombstone | undefined,
): boolean {
  if (incoming.type !== "tombstone" && tombstone) return false;
  return held === undefined || compareVersions(incoming, held) > 0;
}

/** A replica's content in memory: what the merge property test and MemoryReplica hold. */
export interface ReplicaContent {
  headers: Map<string, ConversationHeader>;
  messages: Map<string, ChatMessage>;
  /** By conversation id. */
  threads: Map<string, ConversationThread>;
  tombstones: Map<string, Tombstone>;
}

export function emptyContent(): ReplicaContent {
  return { headers: new Map(), messages: new Map(), threads: new Map(), tombstones: new Map() };
}

export function heldVersion(content: ReplicaContent, record: RecordValue): RecordValue | undefined {
  switch (record.type) {
    case "conversation": {
      const value = content.headers.get(record.value.id);
      return value && { type: "conversation", value };
    }
    case "message": {
      const value = content.messages.get(record.value.id);
      return value && { type: "message", value };
    }
    case "thread": {
      const value = content.threads.get(record.value.conversationId);
      return value && { type: "thread", value };
    }
    case "tombstone": {
      const value = content.tombstones.get(record.value.conversationId);
      return value && { type: "tombstone", value };
    }
  }
}

/**
 * Merges one version into `content` (mutated). Returns the keys of records the merge removed
 * (absorbed by a tombstone) when it applied, or `null` when the version changed nothing.
 */
export function mergeInto(content: ReplicaContent, record: RecordValue): string[] | null {
  const conversationId = conversationIdOf(record);
  if (!shouldApply(record, heldVersion(content, record), content.tombstones.get(conversationId))) {
    return null;
  }
  switch (record.type) {
    case "conversation":
      content.headers.set(record.value.id, record.value);
      return [];
    case "message":
      content.messages.set(record.value.id, record.value);
      return [];
    case "thread":
      content.threads.set(conversationId, record.value);
      return [];
    case "tombstone": {
      content.tombstones.set(conversationId, record.value);
      const removed: string[] = [];
      if (content.headers.delete(conversationId)) removed.push(`c:${conversationId}`);
      if (content.threads.delete(conversationId)) removed.push(`v:${conversationId}`);
      for (const [id, message] of content.messages) {
        if (message.conversationId === conversationId) {
          content.messages.delete(id);
          removed.push(`m:${id}`);
        }
      }
      return removed;
    }
  }
}

/** JSON with object keys sorted, so equal values always give equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(
    value,
    (_key, v) =>
      v && typeof v === "object" && !Array.isArray(v)
        ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]]))
        : v,
  );
}
