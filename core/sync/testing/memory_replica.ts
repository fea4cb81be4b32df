import { emptyContent, mergeInto, recordKey, type ReplicaContent } from "../merge.ts";
import type { RecordValue, SyncRecord, VersionVector } from "../records.ts";
import { advanceWatermark, type Replica, seqsByOrigin } from "../replica.ts";
import type { RecordSigner } from "../record_signature.ts";

/** A replica held in memory: the reference the SQLite store is checked against, and the property tests' node. */
export class MemoryReplica implements Replica {
  readonly content: ReplicaContent = emptyContent();
  #stamps = new Map<string, SyncRecord>();
  #bySeq = new Map<string, Map<number, string>>();
  #watermarks = new Map<string, number>();
  #maxSeen = new Map<string, number>();
  #keys = new Map<string, string>();
  #nextSeq = 1;

  constructor(readonly nodeId: string, readonly signer?: RecordSigner) {
    if (signer) this.#keys.set(nodeId, signer.publicKey);
  }

  versionVector(): VersionVector {
    return Object.fromEntries(this.#watermarks);
  }

  commitLocal(values: RecordValue[]): SyncRecord[] {
    const stamped: SyncRecord[] = [];
    for (const value of values) {
      const record = { ...value, origin: this.nodeId, seq: this.#nextSeq } as SyncRecord;
      if (this.signer) record.sig = this.signer.sign(record);
      if (this.#store(record)) {
        this.#nextSeq++;
        stamped.push(record);
      }
    }
    this.#advance(seqsByOrigin(stamped));
    return stamped;
  }

  applyRemote(records: SyncRecord[]): SyncRecord[] {
    const winners = records.filter((record) => this.#store(record));
    this.#advance(seqsByOrigin(records));
    for (const record of records) {
      if (record.origin === this.nodeId && record.seq >= this.#nextSeq) {
        this.#nextSeq = record.seq + 1;
      }
    }
    return winners;
  }

  *recordsAbove(vv: VersionVector, _shareableOnly: boolean): Iterable<SyncRecord> {
    const above = [...this.#stamps.values()].filter((r) =>
      r.seq > (vv[r.origin] ?? 0) && (!this.signer || r.sig !== undefined)
    );
    above.sort((a, b) => a.origin < b.origin ? -1 : a.origin > b.origin ? 1 : a.seq - b.seq);
    yield* above;
  }

  raiseWatermarks(vv: VersionVector, sender?: string): void {
    for (const [origin, claimed] of Object.entries(vv)) {
      const seq = origin === sender ? claimed : Math.min(claimed, this.#maxSeen.get(origin) ?? 0);
      if (seq > (this.#watermarks.get(origin) ?? 0)) this.#watermarks.set(origin, seq);
    }
  }

  conversationOwner(conversationId: string): string | undefined {
    return this.content.headers.get(conversationId)?.originNode;
  }

  originKey(origin: string): string | undefined {
    return this.#keys.get(origin);
  }

  rememberKey(origin: string, key: string): void {
    if (!this.#keys.has(origin)) this.#keys.set(origin, key);
  }

  isShareable(_record: RecordValue): boolean {
    return true;
  }

  /** Every record held with its stamp, for tests. */
  records(): SyncRecord[] {
    return [...this.#stamps.values()];
  }

  #store(record: SyncRecord): boolean {
    const removed = mergeInto(this.content, record);
    if (removed === null) return false;
    for (const key of removed) this.#forget(key);
    const key = recordKey(record);
    this.#forget(key);
    this.#stamps.set(key, record);
    let seqs = this.#bySeq.get(record.origin);
    if (!seqs) this.#bySeq.set(record.origin, seqs = new Map());
    seqs.set(record.seq, key);
    return true;
  }

  #forget(key: string) {
    const old = this.#stamps.get(key);
    if (!old) return;
    this.#stamps.delete(key);
    this.#bySeq.get(old.origin)?.delete(old.seq);
  }

  #advance(received: Map<string, number[]>) {
    for (const [origin, seqs] of received) {
      const held = this.#bySeq.get(origin);
      const current = this.#watermarks.get(origin) ?? 0;
      const next = advanceWatermark(current, seqs, (seq) => held?.has(seq) ?? false);
      if (next !== current) this.#watermarks.set(origin, next);
      this.#maxSeen.set(origin, Math.max(this.#maxSeen.get(origin) ?? 0, ...seqs));
    }
  }
}
