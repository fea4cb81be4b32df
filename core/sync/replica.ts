import type { RecordValue, SyncRecord, VersionVector } from "./records.ts";

/**
 * A replica of the conversation records, as the sync protocol sees it. Implemented by the
 * SQLite store (production) and MemoryReplica (property tests).
 *
 * Watermark invariant: `versionVector()[o] = w` means this replica holds the effect of every
 * change origin `o` made with seq <= w (that version or a newer one of the same record, or the
 * tombstone that absorbed it). Anti-entropy relies on it to send only what a peer lacks.
 */
export interface Replica {
  readonly nodeId: string;
  versionVector(): VersionVector;
  /**
   * Stores this node's own changes; each one that changes the replica gets the next own seq
   * (and the signer's signature, when the replica has one).
   */
  commitLocal(values: RecordValue[]): SyncRecord[];
  /**
   * Merges records from a peer (already verified); returns those that changed the replica (for
   * relaying). Own records coming back (a restored data dir) move the own seq past them.
   */
  applyRemote(records: SyncRecord[]): SyncRecord[];
  /**
   * Held records whose stamp is above `vv`, ordered by (origin, seq); with a signer, only
   * signed ones (a record nobody can verify is never relayed).
   */
  recordsAbove(vv: VersionVector, shareableOnly: boolean): Iterable<SyncRecord>;
  /**
   * After a peer sent everything it held above our vector: adopt its watermarks, but never past
   * the highest seq of an origin this replica has actually received, so a peer's claim alone
   * cannot make us stop asking for records we never saw. The sender's own origin is the one
   * it knows best (records it never shared leave gaps only it can vouch for): that watermark
   * is taken as claimed; a lie there only hides the liar's own records.
   */
  raiseWatermarks(vv: VersionVector, sender?: string): void;
  /** Whether this record may leave the node (sharing is on for its conversation). */
  isShareable(record: RecordValue): boolean;
  /** The owner of a held conversation (from its header), if held. */
  conversationOwner(conversationId: string): string | undefined;
  /** Public keys (base64) of origins, learned with their records, for relaying them. */
  originKey(origin: string): string | undefined;
  rememberKey(origin: string, key: string): void;
}

/**
 * Moves a watermark over every sequence number that is now held contiguously above it:
 * those just `received` and those `holds` says are stored.
 */
export function advanceWatermark(
  current: number,
  received: Iterable<number>,
  holds: (seq: number) => boolean,
) {
  const arrived = new Set(received);
  let watermark = current;
  while (arrived.has(watermark + 1) || holds(watermark + 1)) watermark++;
  return watermark;
}

/** Groups sequence numbers of records by their origin. */
export function seqsByOrigin(
  records: Iterable<{ origin: string; seq: number }>,
): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const { origin, seq } of records) {
    const list = out.get(origin);
    if (list) list.push(seq);
    else out.set(origin, [seq]);
  }
  return out;
}
