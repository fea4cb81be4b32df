/**
 * Whole-table passes over the four record tables of the store: reading every record's content
 * (tests compare replicas) and signing own records kept from before records were signed.
 */
import type { DatabaseSync } from "node:sqlite";
import { emptyContent, type ReplicaContent } from "../sync/merge.ts";
import type { RecordValue, SyncRecord } from "../sync/records.ts";
import type { RecordSigner } from "../sync/record_signature.ts";
import type { Row } from "./statements.ts";

/** Each record table, the record type its rows hold and its key column. */
const RECORD_TABLES = [
  { table: "conversations", type: "conversation", key: "id" },
  { table: "messages", type: "message", key: "id" },
  { table: "threads", type: "thread", key: "conversation_id" },
  { table: "tombstones", type: "tombstone", key: "conversation_id" },
] as const;

/** Every record's content. */
export function readContent(db: DatabaseSync): ReplicaContent {
  const content = emptyContent();
  for (const { table, type } of RECORD_TABLES) {
    for (const row of db.prepare(`SELECT data FROM ${table}`).all() as Row[]) {
      const record = { type, value: JSON.parse(row.data as string) } as RecordValue;
      switch (record.type) {
        case "conversation":
          content.headers.set(record.value.id, record.value);
          break;
        case "message":
          content.messages.set(record.value.id, record.value);
          break;
        case "thread":
          content.threads.set(record.value.conversationId, record.value);
          break;
        case "tombstone":
          content.tombstones.set(record.value.conversationId, record.value);
          break;
      }
    }
  }
  return content;
}

/** Signs `origin`'s unsigned rows in place, keeping their stamps; returns how many. */
export function signUnsignedRows(db: DatabaseSync, origin: string, signer: RecordSigner): number {
  let signed = 0;
  for (const { table, type, key } of RECORD_TABLES) {
    const rows = db.prepare(
      `SELECT ${key} AS k, rec_seq, data FROM ${table} WHERE rec_origin = ? AND sig IS NULL`,
    ).all(origin) as Row[];
    const update = db.prepare(`UPDATE ${table} SET sig = ? WHERE ${key} = ?`);
    for (const row of rows) {
      const value = JSON.parse(row.data as string);
      const record = { type, origin, seq: Number(row.rec_seq), value } as SyncRecord;
      update.run(signer.sign(record), row.k as string);
      signed++;
    }
  }
  return signed;
}
