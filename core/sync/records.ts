/**
 * What replicas exchange: versioned records, each remembering which node introduced that
 * version and at which of that node's sequence numbers (`origin`, `seq`). A version vector
 * says, per origin, up to which sequence number a replica holds everything.
 */
import { z } from "zod";
import {
  ChatMessage,
  ConversationHeader,
  ConversationThread,
  NodeId,
  Tombstone,
} from "../model/conversation.ts";

const Seq = z.number().int().positive().max(Number.MAX_SAFE_INTEGER / 2);
/** Ed25519 signature by the origin (base64 of 64 bytes); see record_signature.ts. */
const Signature = z.string().length(88);

export const SyncRecord = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("conversation"),
    origin: NodeId,
    seq: Seq,
    value: ConversationHeader,
    sig: Signature.optional(),
  }),
  z.object({
    type: z.literal("message"),
    origin: NodeId,
    seq: Seq,
    value: ChatMessage,
    sig: Signature.optional(),
  }),
  z.object({
    // Since the first release with versions: a node without it drops these as invalid and
    // shows the conversation's messages in creation order (see docs/conversations.md).
    type: z.literal("thread"),
    origin: NodeId,
    seq: Seq,
    value: ConversationThread,
    sig: Signature.optional(),
  }),
  z.object({
    type: z.literal("tombstone"),
    origin: NodeId,
    seq: Seq,
    value: Tombstone,
    sig: Signature.optional(),
  }),
]);
export type SyncRecord = z.infer<typeof SyncRecord>;

/** A record before it is stamped with (origin, seq). */
export type RecordValue =
  | { type: "conversation"; value: ConversationHeader }
  | { type: "message"; value: ChatMessage }
  | { type: "thread"; value: ConversationThread }
  | { type: "tombstone"; value: Tombstone };

/** Origin → public key (base64 of the raw 32 bytes), as frames carry them. */
export type OriginKeys = Record<string, string>;

/** Most origins one vector may name (a mesh is a handful of nodes; this only bounds abuse). */
export const MAX_VECTOR_ORIGINS = 10_000;

export const VersionVector = z.record(
  NodeId,
  z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER / 2),
)
  .refine(
    (vv) => Object.keys(vv).length <= MAX_VECTOR_ORIGINS,
    `must name at most ${MAX_VECTOR_ORIGINS} origins`,
  );
export type VersionVector = Record<string, number>;

export function stamp(record: RecordValue, origin: string, seq: number): SyncRecord {
  return { ...record, origin, seq } as SyncRecord;
}

export function unstamp(record: SyncRecord): RecordValue {
  return { type: record.type, value: record.value } as RecordValue;
}
