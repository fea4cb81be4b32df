/**
 * Who may write what: only a conversation's origin (its owner) writes its header, messages and
 * tombstone, and each record names its writer as the node that signed it. Pure rules; the sync
 * engine applies them after checking signatures, the store supplies what it knows of owners.
 */
import { conversationIdOf } from "./merge.ts";
import type { SyncRecord } from "./records.ts";

/** A node id as derived from a key: 32 base32 characters. */
const NODE_ID = /^[A-Z2-7]{32}$/;

/**
 * Conversation ids made from now on name their owner (`<node id>-<uuid>`), so a record about a
 * conversation can be checked against its owner even before its header arrived: nobody can
 * claim another node's conversation first. (A UUID never has an upper-case base32 run of 32
 * followed by `-`, so older ids name nobody; `-` keeps ids plain in URL paths.)
 */
export function newConversationId(owner: string, unique: string = crypto.randomUUID()): string {
  return `${owner}-${unique}`;
}

/** The owner named in a conversation id, if the id names one. */
export function ownerInId(conversationId: string): string | undefined {
  if (conversationId.length <= 33 || conversationId[32] !== "-") return undefined;
  const owner = conversationId.slice(0, 32);
  return NODE_ID.test(owner) ? owner : undefined;
}

/** The node a record says wrote it (header, message or thread owner, deleter). */
function namedWriter(record: SyncRecord): string {
  switch (record.type) {
    case "conversation":
      return record.value.originNode;
    case "message":
    case "thread":
      return record.value.originNode;
    case "tombstone":
      return record.value.deletedBy;
  }
}

/**
 * Why `record` (already shown to be signed by `record.origin`) must not be applied, or null.
 * `heldOwner` is the owner of its conversation as this node knows it (from a held header).
 */
export function authorityProblem(record: SyncRecord, heldOwner: string | undefined): string | null {
  const writer = namedWriter(record);
  if (writer !== record.origin) {
    return `a ${record.type} record naming ${writer} as its writer, signed by ${record.origin}`;
  }
  const conversationId = conversationIdOf(record);
  const owner = ownerInId(conversationId) ?? heldOwner;
  if (owner !== undefined && owner !== record.origin) {
    return `a ${record.type} record of ${owner}'s conversation ${conversationId}, written by ${record.origin}`;
  }
  return null;
}
