/** Conversation sync messages (`CONV:` and anti-entropy markers). Owned by core/sync. */
import { z } from "zod";

/**
 * Records travel unchecked at this layer: core/sync validates each one on its own, so one bad
 * record is dropped and logged instead of closing the link.
 */
const Records = z.array(z.unknown()).max(10_000);

const VersionVector = z.record(z.string().min(1).max(128), z.number().int().nonnegative())
  .refine((vv) => Object.keys(vv).length <= 10_000, "must name at most 10000 origins");

/**
 * Public keys (base64 of the raw 32 bytes) of the origins whose records a frame carries, so
 * signatures can be checked whoever relayed them; core/sync checks each key hashes to its id.
 */
const OriginKeys = z.record(z.string().min(1).max(128), z.string().max(64))
  .refine((keys) => Object.keys(keys).length <= 1_000, "must name at most 1000 origins");

/** `CONV:` — records pushed in real time (new messages, growing answers, edits, deletions). */
export const ConvPush = z.object({
  records: Records,
  /**
   * Nodes this push was already sent to (the sender, its direct recipients and theirs): a relay
   * forwards only to its peers not listed, so a full mesh carries each record once per node.
   */
  reached: z.array(z.string().min(1).max(128)).max(1_000).optional(),
  keys: OriginKeys.optional(),
});

/**
 * The original NeuroMesh sends one whole conversation on `CONV:`
 * (`{"id", "messages": [...], "host_info": {...}}`); accepted so such a peer is understood.
 */
export const LegacyConvPush = z.looseObject({
  id: z.string().max(256),
  messages: z.array(z.unknown()).max(100_000),
  host_info: z.unknown().optional(),
});

/** `VVEC:` — "this is what I hold": the receiver answers with `CSYN:` frames of what is missing. */
export const VersionVectorMessage = z.object({
  vv: VersionVector,
  /** Also send me your vector, so I can send you what you lack (I just learned something). */
  ask: z.boolean().optional(),
});

/** `CSYN:` — one frame of an anti-entropy answer; the last has `done` and the sender's vector. */
export const SyncBatch = z.object({
  records: Records,
  done: z.boolean(),
  vv: VersionVector.optional(),
  keys: OriginKeys.optional(),
});

export const syncSchemas = {
  "CONV:": z.union([ConvPush, LegacyConvPush]),
  "VVEC:": VersionVectorMessage,
  "CSYN:": SyncBatch,
} as const;
