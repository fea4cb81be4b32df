/**
 * The durable conversation store: one SQLite file `<dataDir>/neuromesh.db` (WAL,
 * synchronous=FULL, so a write of this node is on disk when a call returns; records of other
 * nodes commit without waiting for the disk, see `applyRemote`). It is the node's sync replica
 * (implements Replica) and answers the queries of the conversation service. Nothing is loaded
 * at open: every query reads what it needs through prepared statements.
 */
import { DatabaseSync } from "node:sqlite";
import type {
  ChatMessage,
  ConversationHeader,
  ConversationThread,
  Tombstone,
} from "../model/conversation.ts";
import type { Logger } from "../log/logger.ts";
import { silentLogger } from "../log/logger.ts";
import { conversationIdOf, type ReplicaContent, shouldApply } from "../sync/merge.ts";
import type { RecordValue, SyncRecord, VersionVector } from "../sync/records.ts";
import type { RecordSigner } from "../sync/record_signature.ts";
import { advanceWatermark, type Replica, seqsByOrigin } from "../sync/replica.ts";
import { migrate } from "./migrations.ts";
import { type Durability, inTransaction } from "./transaction.ts";
import { readContent, signUnsignedRows } from "./record_tables.ts";
import { prepareStatements, type Row, summaryOf } from "./statements.ts";
import { prepareMessageSearch, type SearchPage } from "./message_search.ts";

export const DATABASE_FILE = "neuromesh.db";

export interface StoreOptions {
  /** This node's id: the origin stamped on its own changes. */
  nodeId: string;
  logger?: Logger;
  /**
   * Signs this node's records as they are stamped. With a signer the store serves only signed
   * records to peers (records received before signing existed stay here, readable, unrelayed).
   */
  signer?: RecordSigner;
}

/** A conversation row of the list, without loading its messages. */
export interface StoredSummary {
  header: ConversationHeader;
  messageCount: number;
  /** Creation stamp of the newest message, if any. */
  lastMessageHlc: string | null;
  /** Start of the newest non-empty message. */
  preview: string;
  /** The conversation's thread, when it has one (versions, settings, where it was copied from). */
  thread?: ConversationThread;
}

export interface CommitOptions {
  /**
   * Tombstones only: hide a conversation on this node without deleting it elsewhere (the
   * tombstone never leaves this node).
   */
  localOnly?: boolean;
}

export class ConversationStore implements Replica {
  readonly #db: DatabaseSync;
  readonly #s: ReturnType<typeof prepareStatements>;
  /** Messages holding every word of `text` (as word prefixes), best first; message_search.ts. */
  readonly searchMessages: (text: string, limit: number) => SearchPage;
  readonly #logger: Logger;
  readonly #signer: RecordSigner | undefined;
  #nextSeq: number;
  #closed = false;

  private constructor(
    db: DatabaseSync,
    readonly path: string,
    readonly nodeId: string,
    logger: Logger,
    signer: RecordSigner | undefined,
  ) {
    this.#db = db;
    this.#logger = logger;
    this.#signer = signer;
    this.#s = prepareStatements(db);
    this.searchMessages = prepareMessageSearch(db);
    const storedNode = this.#meta("node_id");
    if (storedNode === undefined) this.#s.metaSet.run("node_id", nodeId);
    else if (storedNode !== nodeId) {
      logger.warn("store belongs to another node id; its conversations show as received", {
        path,
        stored: storedNode,
        nodeId,
      });
      this.#s.metaSet.run("node_id", nodeId);
    }
    this.#nextSeq = Number(this.#meta("next_seq") ?? 1);
    if (signer) this.#adoptSigner(signer);
  }

  /** Opens (creating if needed) `<dataDir>/neuromesh.db`. */
  static open(dataDir: string, options: StoreOptions): ConversationStore {
    Deno.mkdirSync(dataDir, { recursive: true });
    return ConversationStore.openPath(`${dataDir}/${DATABASE_FILE}`, options);
  }

  /** Opens a database file by path (`:memory:` for tests). */
  static openPath(path: string, options: StoreOptions): ConversationStore {
    if (!options.nodeId) throw new RangeError("ConversationStore needs a nodeId");
    let db: DatabaseSync;
    try {
      db = new DatabaseSync(path);
    } catch (error) {
      throw new Error(`cannot open conversation database ${path}: ${(error as Error).message}`);
    }
    try {
      db.exec("PRAGMA busy_timeout = 5000");
      db.exec("PRAGMA journal_mode = WAL");
      // FULL: a commit is fsynced before it returns, so what we acknowledged survives a crash.
      db.exec("PRAGMA synchronous = FULL");
      migrate(db, path);
      if (options.signer && options.signer.nodeId !== options.nodeId) {
        throw new RangeError(`signer ${options.signer.nodeId} is not node ${options.nodeId}`);
      }
      return new ConversationStore(
        db,
        path,
        options.nodeId,
        options.logger ?? silentLogger,
        options.signer,
      );
    } catch (error) {
      db.close();
      throw error;
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#db.exec("PRAGMA optimize");
    } catch { /* best effort */ }
    this.#db.close();
  }

  // ---- Replica -------------------------------------------------------------------------

  versionVector(): VersionVector {
    const vv: VersionVector = {};
    for (const row of this.#s.watermarksAll.all() as Row[]) {
      vv[row.origin as string] = Number(row.seq);
    }
    return vv;
  }

  commitLocal(values: RecordValue[], options: CommitOptions = {}): SyncRecord[] {
    return this.#transaction(() => {
      this.#reloadNextSeq();
      const stamped: SyncRecord[] = [];
      for (const value of values) {
        const record = this.#signed({ ...value, origin: this.nodeId, seq: this.#nextSeq });
        if (this.#merge(record, "local", options.localOnly ?? false)) {
          this.#nextSeq++;
          stamped.push(record);
        }
      }
      if (stamped.length > 0) {
        this.#s.metaSet.run("next_seq", String(this.#nextSeq));
        this.#advance(seqsByOrigin(stamped));
      }
      return stamped;
    });
  }

  /**
   * Merges records of other nodes without an fsync ("normal", transaction.ts): their origin
   * holds them on its disk, and a power cut only rolls this database back to an earlier
   * consistent state (watermarks included) that the next pull fills. A batch with this node's
   * own records is fsynced: their seqs must never be reused.
   */
  applyRemote(records: SyncRecord[]): SyncRecord[] {
    if (records.length === 0) return [];
    const own = records.some((r) => r.origin === this.nodeId);
    return this.#transaction(() => {
      const winners = records.filter((record) => this.#merge(record, "remote", false));
      this.#advance(seqsByOrigin(records));
      // Our own signed records coming back (a data dir restored without its database):
      // never reuse a seq they hold.
      // A loop, not Math.max(...seqs): a batch of ~150,000 overflowed the stack.
      let ownSeen = 0;
      for (const r of records) if (r.origin === this.nodeId) ownSeen = Math.max(ownSeen, r.seq);
      if (ownSeen >= this.#nextSeq) {
        this.#logger.info("own records received back from a peer; continuing after them", {
          seen: ownSeen,
        });
        this.#nextSeq = ownSeen + 1;
        this.#s.metaSet.run("next_seq", String(this.#nextSeq));
      }
      return winners;
    }, own ? "full" : "normal");
  }

  *recordsAbove(vv: VersionVector, shareableOnly: boolean): Iterable<SyncRecord> {
    const origins = (this.#s.watermarksAll.all() as Row[]).map((row) => row.origin as string);
    for (const origin of origins) {
      const after = vv[origin] ?? 0;
      const rows = this.#s.recordsAbove.iterate(
        origin,
        after,
        shareableOnly ? 1 : 0,
        this.nodeId,
        this.#signer ? 1 : 0,
      ) as Iterable<Row>;
      for (const row of rows) {
        const record = {
          type: row.type as SyncRecord["type"],
          origin,
          seq: Number(row.seq),
          value: JSON.parse(row.data as string),
        } as SyncRecord;
        if (row.sig) record.sig = row.sig as string;
        yield record;
      }
    }
  }

  raiseWatermarks(vv: VersionVector, sender?: string): void {
    // Lost in a power cut, watermarks only make the next pull ask for more than it needs.
    this.#transaction(() => {
      for (const [origin, seq] of Object.entries(vv)) {
        if (origin === sender) this.#s.watermarkRaise.run(origin, seq);
        else this.#s.watermarkRaiseSeen.run(seq, origin);
      }
    }, "normal");
  }

  conversationOwner(conversationId: string): string | undefined {
    const row = this.#s.conversationSharing.get(conversationId) as Row | undefined;
    return row?.origin_node as string | undefined;
  }

  originKey(origin: string): string | undefined {
    return (this.#s.originKeyGet.get(origin) as Row | undefined)?.key as string | undefined;
  }

  rememberKey(origin: string, key: string): void {
    this.#s.originKeyPut.run(origin, key);
  }

  isShareable(record: RecordValue): boolean {
    if (record.type === "tombstone") {
      const row = this.#s.tombstoneGet.get(record.value.conversationId) as Row | undefined;
      return row ? row.shareable === 1 : true;
    }
    const row = this.#s.conversationSharing.get(conversationIdOf(record)) as Row | undefined;
    return !row || row.origin_node !== this.nodeId || row.shared === 1;
  }

  // ---- queries -------------------------------------------------------------------------

  header(id: string): ConversationHeader | undefined {
    const row = this.#s.conversationGet.get(id) as Row | undefined;
    return row && JSON.parse(row.data as string);
  }

  tombstone(conversationId: string): Tombstone | undefined {
    const row = this.#s.tombstoneGet.get(conversationId) as Row | undefined;
    return row && JSON.parse(row.data as string);
  }

  message(id: string): ChatMessage | undefined {
    const row = this.#s.messageGet.get(id) as Row | undefined;
    return row && JSON.parse(row.data as string);
  }

  /** Messages of a conversation in order (creation stamp, then id). */
  messages(conversationId: string): ChatMessage[] {
    return (this.#s.messagesOf.all(conversationId) as Row[]).map((row) =>
      JSON.parse(row.data as string)
    );
  }

  /** How a conversation's messages branch, its settings: its thread record, if any. */
  thread(conversationId: string): ConversationThread | undefined {
    const row = this.#s.threadGet.get(conversationId) as Row | undefined;
    return row && JSON.parse(row.data as string);
  }

  /** Messages not marked complete: answers being written, or cut short by a crash. */
  unfinishedMessages(): ChatMessage[] {
    return (this.#s.messagesUnfinished.all() as Row[]).map((row) => JSON.parse(row.data as string));
  }

  summaries(): StoredSummary[] {
    return (this.#s.summaries.all() as Row[]).map(summaryOf);
  }

  summary(id: string): StoredSummary | undefined {
    const row = this.#s.summaryOne.get(id) as Row | undefined;
    return row && summaryOf(row);
  }

  /** Newest stamp this node issued, so its clock resumes above it after a restart. */
  lastOwnHlc(): string | undefined {
    return this.#meta("last_hlc");
  }

  /**
   * Gives every record of a conversation a new own seq, so peers whose watermarks passed
   * them while the conversation was not shared receive them now. Returns the restamped records.
   */
  restampConversation(conversationId: string): SyncRecord[] {
    return this.#transaction(() => {
      this.#reloadNextSeq();
      const values: RecordValue[] = [];
      const header = this.header(conversationId);
      if (header) values.push({ type: "conversation", value: header });
      for (const message of this.messages(conversationId)) {
        values.push({ type: "message", value: message });
      }
      const thread = this.thread(conversationId);
      if (thread) values.push({ type: "thread", value: thread });
      const stamped = values.map((value) =>
        this.#signed({ ...value, origin: this.nodeId, seq: this.#nextSeq++ })
      );
      for (const record of stamped) this.#write(record, "local", false);
      if (stamped.length > 0) {
        this.#s.metaSet.run("next_seq", String(this.#nextSeq));
        this.#advance(seqsByOrigin(stamped));
      }
      return stamped;
    });
  }

  counts(): { conversations: number; messages: number; tombstones: number } {
    const row = this.#s.counts.get() as Row;
    return { conversations: Number(row.c), messages: Number(row.m), tombstones: Number(row.t) };
  }

  /** Every record's content, for tests comparing replicas. */
  snapshot(): ReplicaContent {
    return readContent(this.#db);
  }

  /** Runs `PRAGMA integrity_check`; "ok" when the file is sound. */
  integrityCheck(): string {
    return (this.#db.prepare("PRAGMA integrity_check").all() as Row[]).map((r) => r.integrity_check)
      .join("; ");
  }

  // ---- internals -----------------------------------------------------------------------

  /** The record with this node's signature, when the store has a signer. */
  #signed(record: Omit<SyncRecord, "sig">): SyncRecord {
    const out = record as SyncRecord;
    if (this.#signer) out.sig = this.#signer.sign(record);
    return out;
  }

  /**
   * Keeps the signer's key (peers need it to check relayed records) and signs own records
   * written before records were signed, keeping their stamps, so peers can still pull them.
   */
  #adoptSigner(signer: RecordSigner) {
    this.#transaction(() => {
      this.rememberKey(this.nodeId, signer.publicKey);
      const signed = signUnsignedRows(this.#db, this.nodeId, signer);
      if (signed > 0) this.#logger.info("signed own records kept from before signing", { signed });
    });
  }

  #meta(key: string): string | undefined {
    const row = this.#s.metaGet.get(key) as Row | undefined;
    return row?.value as string | undefined;
  }

  /** Another process (an `import`) may have stamped changes of this node since we last looked. */
  #reloadNextSeq() {
    this.#nextSeq = Math.max(this.#nextSeq, Number(this.#meta("next_seq") ?? 1));
  }

  /** One transaction (transaction.ts); a rollback forgets the seqs it handed out. */
  #transaction<T>(fn: () => T, durability: Durability = "full"): T {
    return inTransaction(this.#db, fn, durability, () => {
      this.#nextSeq = Number(this.#meta("next_seq") ?? 1);
    });
  }

  #held(record: RecordValue): { held: RecordValue | undefined; tombstoneRow: Row | undefined } {
    const tombstoneRow = this.#s.tombstoneGet.get(conversationIdOf(record)) as Row | undefined;
    let row: Row | undefined;
    if (record.type === "conversation") {
      row = this.#s.conversationGet.get(record.value.id) as Row | undefined;
    } else if (record.type === "message") {
      row = this.#s.messageGet.get(record.value.id) as Row | undefined;
    } else if (record.type === "thread") {
      row = this.#s.threadGet.get(record.value.conversationId) as Row | undefined;
    } else row = tombstoneRow;
    const held = row &&
      ({ type: record.type, value: JSON.parse(row.data as string) } as RecordValue);
    return { held, tombstoneRow };
  }

  /** Writes `record` when it is newer than what is held; returns whether it did. */
  #merge(record: SyncRecord, source: "local" | "remote", localOnly: boolean): boolean {
    const { held, tombstoneRow } = this.#held(record);
    const tombstone = tombstoneRow && JSON.parse(tombstoneRow.data as string) as Tombstone;
    const replacesHide = record.type === "tombstone" && source === "remote" &&
      tombstoneRow?.shareable === 0;
    if (!replacesHide && !shouldApply(record, held, tombstone)) return false;
    this.#write(record, source, localOnly);
    return true;
  }

  #write(record: SyncRecord, source: "local" | "remote", localOnly: boolean) {
    const s = this.#s;
    const data = JSON.stringify(record.value);
    switch (record.type) {
      case "conversation": {
        const h = record.value;
        s.conversationPut.run(
          h.id,
          h.originNode,
          h.shared ? 1 : 0,
          h.hlc,
          record.origin,
          record.seq,
          data,
          record.sig ?? null,
        );
        break;
      }
      case "message": {
        const m = record.value;
        s.messagePut.run(
          m.id,
          m.conversationId,
          m.createdHlc,
          m.hlc,
          m.complete ? 1 : 0,
          record.origin,
          record.seq,
          data,
          record.sig ?? null,
        );
        break;
      }
      case "thread": {
        const t = record.value;
        s.threadPut.run(
          t.conversationId,
          t.hlc,
          record.origin,
          record.seq,
          data,
          record.sig ?? null,
        );
        break;
      }
      case "tombstone": {
        const id = record.value.conversationId;
        let shareable = 1;
        if (localOnly) shareable = 0;
        else if (source === "local") {
          const row = s.conversationSharing.get(id) as Row | undefined;
          if (row && row.origin_node === this.nodeId && row.ever_shared !== 1) shareable = 0;
        }
        s.tombstonePut.run(
          id,
          record.value.hlc,
          shareable,
          record.origin,
          record.seq,
          data,
          record.sig ?? null,
        );
        s.conversationDelete.run(id);
        s.messagesDelete.run(id);
        s.threadDelete.run(id);
        break;
      }
    }
    s.originKnown.run(record.origin);
    if (record.origin === this.nodeId) {
      const last = this.#meta("last_hlc");
      if (!last || record.value.hlc > last) s.metaSet.run("last_hlc", record.value.hlc);
    }
  }

  #advance(received: Map<string, number[]>) {
    for (const [origin, seqs] of received) {
      const row = this.#s.watermarkGet.get(origin) as Row | undefined;
      const current = Number(row?.seq ?? 0);
      const next = advanceWatermark(
        current,
        seqs,
        (seq) => this.#s.holdsStamp.get(origin, seq) !== undefined,
      );
      if (next !== current) this.#s.watermarkRaise.run(origin, next);
      this.#s.maxSeenRaise.run(seqs.reduce((max, seq) => Math.max(max, seq), 0), origin);
    }
  }
}
