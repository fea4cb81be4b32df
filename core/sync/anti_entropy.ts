/**
 * Anti-entropy exchange, independent of transport: a peer sends its version vector, we answer
 * with every shareable record we hold above it, in bounded batches, the last one carrying our
 * own vector. Once the peer applied all batches it may adopt our watermarks (see Replica).
 */
import type { SyncRecord, VersionVector } from "./records.ts";
import type { Replica } from "./replica.ts";

export interface BatchLimits {
  /** Most records in one frame. */
  maxRecords: number;
  /** Most payload bytes in one frame (a single larger record still goes alone). */
  maxBytes: number;
}

export const DEFAULT_BATCH_LIMITS: BatchLimits = { maxRecords: 500, maxBytes: 1024 * 1024 };

export interface ReplyBatch {
  records: SyncRecord[];
  done: boolean;
  /** On the last batch: the sender's vector when it built the reply. */
  vv?: VersionVector;
}

const utf8 = new TextEncoder();

/** Splits records into frames of at most `maxRecords` records and about `maxBytes` bytes. */
export function* chunkRecords(
  records: Iterable<SyncRecord>,
  limits: BatchLimits,
): Generator<SyncRecord[]> {
  let batch: SyncRecord[] = [];
  let bytes = 0;
  for (const record of records) {
    const size = utf8.encode(JSON.stringify(record)).length + 1;
    if (batch.length > 0 && (batch.length >= limits.maxRecords || bytes + size > limits.maxBytes)) {
      yield batch;
      batch = [];
      bytes = 0;
    }
    batch.push(record);
    bytes += size;
  }
  if (batch.length > 0) yield batch;
}

/** Everything `replica` holds that a peer with vector `peerVv` lacks, as frames to send in order. */
export function buildReply(
  replica: Replica,
  peerVv: VersionVector,
  limits = DEFAULT_BATCH_LIMITS,
): ReplyBatch[] {
  // The vector is read before the records, in the same synchronous pass: it never claims more.
  const vv = replica.versionVector();
  const batches: ReplyBatch[] = [...chunkRecords(replica.recordsAbove(peerVv, true), limits)]
    .map((records) => ({ records, done: false }));
  if (batches.length === 0) batches.push({ records: [], done: false });
  const last = batches[batches.length - 1];
  last.done = true;
  last.vv = vv;
  return batches;
}

/** Applies one reply frame from `sender`; returns the records that changed the replica. */
export function applyReply(replica: Replica, batch: ReplyBatch, sender?: string): SyncRecord[] {
  const winners = replica.applyRemote(batch.records);
  if (batch.done && batch.vv) replica.raiseWatermarks(batch.vv, sender);
  return winners;
}

/** Peers a periodic anti-entropy round pulls from (a link coming up pulls from its peer too). */
export const ROUND_FANOUT = 3;

/**
 * The peers of the next periodic round: up to `fanout` of the linked peers, taken in id order
 * after `after` (the last one pulled), wrapping around. Every peer is pulled every
 * ceil(n / fanout) rounds; a round costs O(fanout) pulls instead of O(n), so fifty idle nodes do
 * not exchange 2,450 version vectors every round. Pushes, relays and the pull at link-up carry
 * changes in real time; rounds only repair what those missed.
 */
export function roundPeers(
  linked: readonly string[],
  after: string | null,
  fanout = ROUND_FANOUT,
): string[] {
  const sorted = [...linked].sort();
  if (sorted.length <= fanout) return sorted;
  const start = after === null ? 0 : sorted.findIndex((id) => id > after);
  const from = start < 0 ? 0 : start;
  return Array.from({ length: fanout }, (_, k) => sorted[(from + k) % sorted.length]);
}
