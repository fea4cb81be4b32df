import type { DatabaseSync } from "node:sqlite";

/**
 * How a commit reaches the disk: "full" is fsynced before it returns; "normal" is not (in WAL
 * mode it survives a crash of the process, not a power cut; the next full commit or checkpoint
 * makes it durable too).
 */
export type Durability = "full" | "normal";

/**
 * Runs `fn` in one IMMEDIATE transaction on `db` (opened with synchronous=FULL) and commits it
 * with `durability`; rolls back and calls `onRollback` when `fn` throws. A call inside a running
 * transaction joins it, and its durability.
 */
export function inTransaction<T>(
  db: DatabaseSync,
  fn: () => T,
  durability: Durability,
  onRollback: () => void,
): T {
  if (db.isTransaction) return fn();
  if (durability === "normal") db.exec("PRAGMA synchronous = NORMAL");
  try {
    db.exec("BEGIN IMMEDIATE");
    try {
      const result = fn();
      db.exec("COMMIT");
      return result;
    } catch (error) {
      db.exec("ROLLBACK");
      onRollback();
      throw error;
    }
  } finally {
    if (durability === "normal") db.exec("PRAGMA synchronous = FULL");
  }
}
