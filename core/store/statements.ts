/** The SQL of the conversation store: its prepared statements and how a summary row reads. */
import type { DatabaseSync, StatementSync } from "node:sqlite";
import type { StoredSummary } from "./store.ts";

export type Row = Record<string, unknown>;

/** Characters of the newest message shown in the conversation list. */
const PREVIEW_CHARS = 240;

/** A row of the summary statements as a StoredSummary. */
export function summaryOf(row: Row): StoredSummary {
  return {
    header: JSON.parse(row.data as string),
    messageCount: Number(row.message_count),
    lastMessageHlc: (row.last_hlc as string | null) ?? null,
    preview: (row.preview as string | null) ?? "",
    ...(row.thread ? { thread: JSON.parse(row.thread as string) } : {}),
  };
}

const SUMMARY_COLUMNS = `
  c.data AS data,
  (SELECT count(*) FROM messages m WHERE m.conversation_id = c.id) AS message_count,
  (SELECT max(m.created_hlc) FROM messages m WHERE m.conversation_id = c.id) AS last_hlc,
  (SELECT substr(json_extract(m.data, '$.content'), 1, ${PREVIEW_CHARS}) FROM messages m
     WHERE m.conversation_id = c.id AND json_extract(m.data, '$.content') <> ''
     ORDER BY m.created_hlc DESC, m.id DESC LIMIT 1) AS preview,
  (SELECT t.data FROM threads t WHERE t.conversation_id = c.id) AS thread`;

/** Every statement of the store, prepared once per open database. */
export function prepareStatements(db: DatabaseSync) {
  const p = (sql: string): StatementSync => db.prepare(sql);
  return {
    metaGet: p("SELECT value FROM meta WHERE key = ?"),
    metaSet: p(
      "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    ),
    watermarksAll: p("SELECT origin, seq FROM watermarks ORDER BY origin"),
    watermarkGet: p("SELECT seq FROM watermarks WHERE origin = ?"),
    watermarkRaise: p(
      "INSERT INTO watermarks (origin, seq) VALUES (?, ?) ON CONFLICT (origin) DO UPDATE SET seq = max(seq, excluded.seq)",
    ),
    originKnown: p("INSERT OR IGNORE INTO watermarks (origin, seq) VALUES (?, 0)"),
    maxSeenRaise: p("UPDATE watermarks SET max_seen = max(max_seen, ?) WHERE origin = ?"),
    // A peer's claim raises a watermark only up to what this node has itself received.
    watermarkRaiseSeen: p(
      "UPDATE watermarks SET seq = max(seq, min(?1, max_seen)) WHERE origin = ?2",
    ),
    originKeyGet: p("SELECT key FROM origin_keys WHERE origin = ?"),
    originKeyPut: p("INSERT OR IGNORE INTO origin_keys (origin, key) VALUES (?, ?)"),
    holdsStamp: p(`SELECT 1 FROM conversations WHERE rec_origin = ?1 AND rec_seq = ?2
      UNION ALL SELECT 1 FROM messages WHERE rec_origin = ?1 AND rec_seq = ?2
      UNION ALL SELECT 1 FROM threads WHERE rec_origin = ?1 AND rec_seq = ?2
      UNION ALL SELECT 1 FROM tombstones WHERE rec_origin = ?1 AND rec_seq = ?2 LIMIT 1`),
    conversationGet: p("SELECT data FROM conversations WHERE id = ?"),
    conversationSharing: p(
      "SELECT origin_node, shared, ever_shared FROM conversations WHERE id = ?",
    ),
    conversationPut: p(
      `INSERT INTO conversations (id, origin_node, shared, ever_shared, hlc, rec_origin, rec_seq, data, sig)
      VALUES (?1, ?2, ?3, ?3, ?4, ?5, ?6, ?7, ?8)
      ON CONFLICT (id) DO UPDATE SET origin_node = excluded.origin_node, shared = excluded.shared,
        ever_shared = max(ever_shared, excluded.shared), hlc = excluded.hlc,
        rec_origin = excluded.rec_origin, rec_seq = excluded.rec_seq, data = excluded.data,
        sig = excluded.sig`,
    ),
    conversationDelete: p("DELETE FROM conversations WHERE id = ?"),
    messageGet: p("SELECT data FROM messages WHERE id = ?"),
    messagesOf: p("SELECT data FROM messages WHERE conversation_id = ? ORDER BY created_hlc, id"),
    messagesUnfinished: p("SELECT data FROM messages WHERE complete = 0 ORDER BY created_hlc, id"),
    messagePut: p(
      `INSERT INTO messages (id, conversation_id, created_hlc, hlc, complete, rec_origin, rec_seq, data, sig)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET conversation_id = excluded.conversation_id, created_hlc = excluded.created_hlc,
        hlc = excluded.hlc, complete = excluded.complete, rec_origin = excluded.rec_origin,
        rec_seq = excluded.rec_seq, data = excluded.data, sig = excluded.sig`,
    ),
    messagesDelete: p("DELETE FROM messages WHERE conversation_id = ?"),
    threadGet: p("SELECT data FROM threads WHERE conversation_id = ?"),
    threadPut: p(
      `INSERT INTO threads (conversation_id, hlc, rec_origin, rec_seq, data, sig)
      VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (conversation_id) DO UPDATE SET hlc = excluded.hlc,
        rec_origin = excluded.rec_origin, rec_seq = excluded.rec_seq, data = excluded.data,
        sig = excluded.sig`,
    ),
    threadDelete: p("DELETE FROM threads WHERE conversation_id = ?"),
    tombstoneGet: p("SELECT data, shareable FROM tombstones WHERE conversation_id = ?"),
    tombstonePut: p(
      `INSERT INTO tombstones (conversation_id, hlc, shareable, rec_origin, rec_seq, data, sig)
      VALUES (?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (conversation_id) DO UPDATE SET hlc = excluded.hlc, shareable = excluded.shareable,
        rec_origin = excluded.rec_origin, rec_seq = excluded.rec_seq, data = excluded.data,
        sig = excluded.sig`,
    ),
    // ?3 = 1: only what may leave this node (?4 = this node's id); ?5 = 1: only signed records.
    recordsAbove: p(`
      SELECT 'conversation' AS type, rec_seq AS seq, data, sig FROM conversations
        WHERE rec_origin = ?1 AND rec_seq > ?2 AND (?3 = 0 OR origin_node <> ?4 OR shared = 1)
          AND (?5 = 0 OR sig IS NOT NULL)
      UNION ALL
      SELECT 'message' AS type, rec_seq AS seq, data, sig FROM messages m
        WHERE rec_origin = ?1 AND rec_seq > ?2 AND (?3 = 0 OR NOT EXISTS (
          SELECT 1 FROM conversations c WHERE c.id = m.conversation_id AND c.origin_node = ?4 AND c.shared = 0))
          AND (?5 = 0 OR sig IS NOT NULL)
      UNION ALL
      SELECT 'thread' AS type, rec_seq AS seq, data, sig FROM threads t
        WHERE rec_origin = ?1 AND rec_seq > ?2 AND (?3 = 0 OR NOT EXISTS (
          SELECT 1 FROM conversations c WHERE c.id = t.conversation_id AND c.origin_node = ?4 AND c.shared = 0))
          AND (?5 = 0 OR sig IS NOT NULL)
      UNION ALL
      SELECT 'tombstone' AS type, rec_seq AS seq, data, sig FROM tombstones
        WHERE rec_origin = ?1 AND rec_seq > ?2 AND (?3 = 0 OR shareable = 1)
          AND (?5 = 0 OR sig IS NOT NULL)
      ORDER BY seq`),
    summaries: p(`SELECT ${SUMMARY_COLUMNS} FROM conversations c`),
    summaryOne: p(`SELECT ${SUMMARY_COLUMNS} FROM conversations c WHERE c.id = ?`),
    counts: p(
      `SELECT (SELECT count(*) FROM conversations) AS c, (SELECT count(*) FROM messages) AS m,
      (SELECT count(*) FROM tombstones) AS t`,
    ),
  } satisfies Record<string, StatementSync>;
}
