import type { DatabaseSync } from "node:sqlite";

/**
 * Schema versions, applied in order; `PRAGMA user_version` records the last one applied.
 * Never edit a released migration: add the next one.
 *
 * Every record row keeps the stamp (rec_origin, rec_seq) of the version it holds, indexed, so
 * anti-entropy can read "everything from origin X after seq N" without scanning.
 */
export const MIGRATIONS: { version: number; sql: string }[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE conversations (
        id TEXT PRIMARY KEY,
        origin_node TEXT NOT NULL,
        shared INTEGER NOT NULL,
        ever_shared INTEGER NOT NULL DEFAULT 0,
        hlc TEXT NOT NULL,
        rec_origin TEXT NOT NULL,
        rec_seq INTEGER NOT NULL,
        data TEXT NOT NULL
      );
      CREATE INDEX conversations_stamp ON conversations (rec_origin, rec_seq);
      CREATE TABLE messages (
        id TEXT PRIMARY KEY,
        conversation_id TEXT NOT NULL,
        created_hlc TEXT NOT NULL,
        hlc TEXT NOT NULL,
        complete INTEGER NOT NULL,
        rec_origin TEXT NOT NULL,
        rec_seq INTEGER NOT NULL,
        data TEXT NOT NULL
      );
      CREATE INDEX messages_order ON messages (conversation_id, created_hlc, id);
      CREATE INDEX messages_stamp ON messages (rec_origin, rec_seq);
      CREATE TABLE tombstones (
        conversation_id TEXT PRIMARY KEY,
        hlc TEXT NOT NULL,
        shareable INTEGER NOT NULL,
        rec_origin TEXT NOT NULL,
        rec_seq INTEGER NOT NULL,
        data TEXT NOT NULL
      );
      CREATE INDEX tombstones_stamp ON tombstones (rec_origin, rec_seq);
      CREATE TABLE watermarks (origin TEXT PRIMARY KEY, seq INTEGER NOT NULL);
    `,
  },
  {
    // Signed records: each row keeps its origin's signature; origins' keys are kept to relay
    // them; `max_seen` is the highest seq of an origin ever received (caps adopted watermarks).
    version: 2,
    sql: `
      ALTER TABLE conversations ADD COLUMN sig TEXT;
      ALTER TABLE messages ADD COLUMN sig TEXT;
      ALTER TABLE tombstones ADD COLUMN sig TEXT;
      ALTER TABLE watermarks ADD COLUMN max_seen INTEGER NOT NULL DEFAULT 0;
      UPDATE watermarks SET max_seen = seq;
      CREATE TABLE origin_keys (origin TEXT PRIMARY KEY, key TEXT NOT NULL);
    `,
  },
  {
    // Threads: per conversation, how its messages branch (edited questions, regenerated
    // answers), which version is shown, its chat settings and where a copy came from. One
    // last-writer-wins record per conversation, stamped and signed like the others.
    version: 3,
    sql: `
      CREATE TABLE threads (
        conversation_id TEXT PRIMARY KEY,
        hlc TEXT NOT NULL,
        rec_origin TEXT NOT NULL,
        rec_seq INTEGER NOT NULL,
        data TEXT NOT NULL,
        sig TEXT
      );
      CREATE INDEX threads_stamp ON threads (rec_origin, rec_seq);
    `,
  },
  {
    // Full-text search over every message (FTS5), kept in step with `messages` by triggers, so
    // own, synced, pushed and imported messages are all found, and a deleted conversation's
    // are not. The index row's rowid is the message row's (messages is never VACUUMed).
    version: 4,
    sql: `
      CREATE VIRTUAL TABLE message_search USING fts5(
        content, conversation_id UNINDEXED, message_id UNINDEXED,
        tokenize = 'unicode61 remove_diacritics 2'
      );
      INSERT INTO message_search (rowid, content, conversation_id, message_id)
        SELECT rowid, coalesce(json_extract(data, '$.content'), ''), conversation_id, id FROM messages;
      CREATE TRIGGER message_search_insert AFTER INSERT ON messages BEGIN
        INSERT INTO message_search (rowid, content, conversation_id, message_id)
          VALUES (new.rowid, coalesce(json_extract(new.data, '$.content'), ''), new.conversation_id, new.id);
      END;
      CREATE TRIGGER message_search_update AFTER UPDATE ON messages
        WHEN json_extract(old.data, '$.content') IS NOT json_extract(new.data, '$.content')
          OR old.conversation_id IS NOT new.conversation_id OR old.id IS NOT new.id BEGIN
        DELETE FROM message_search WHERE rowid = old.rowid;
        INSERT INTO message_search (rowid, content, conversation_id, message_id)
          VALUES (new.rowid, coalesce(json_extract(new.data, '$.content'), ''), new.conversation_id, new.id);
      END;
      CREATE TRIGGER message_search_delete AFTER DELETE ON messages BEGIN
        DELETE FROM message_search WHERE rowid = old.rowid;
      END;
    `,
  },
];

export const SCHEMA_VERSION = Math.max(...MIGRATIONS.map((m) => m.version));

/** Brings the database to SCHEMA_VERSION; refuses a database written by a newer build. */
export function migrate(db: DatabaseSync, path: string): void {
  const { user_version: current } = db.prepare("PRAGMA user_version").get() as {
    user_version: number;
  };
  if (current > SCHEMA_VERSION) {
    throw new Error(
      `database ${path} has schema version ${current}, newer than this build supports (${SCHEMA_VERSION}); ` +
        "upgrade NeuroMesh or use another data directory",
    );
  }
  for (const migration of [...MIGRATIONS].sort((a, b) => a.version - b.version)) {
    if (migration.version <= current) continue;
    db.exec("BEGIN IMMEDIATE");
    try {
      db.exec(migration.sql);
      db.exec(`PRAGMA user_version = ${migration.version}`);
      db.exec("COMMIT");
    } catch (error) {
      db.exec("ROLLBACK");
      throw new Error(
        `migrating ${path} to schema version ${migration.version} failed: ${
          (error as Error).message
        }`,
      );
    }
  }
}
