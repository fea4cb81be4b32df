/**
 * The disk's floor for a durable append: single-row commits into a bare SQLite table with the
 * store's settings (WAL, synchronous=FULL) and nothing else. The store's append latency is
 * read against it: what the store adds over one fsynced SQLite commit.
 */
import { DatabaseSync } from "node:sqlite";
import { summarize } from "./measures/llm.ts";

export interface AppendFloor {
  p50Ms: number;
  p99Ms: number;
}

export async function measureSqliteAppendFloor(
  options: { appends: number; rowBytes: number },
): Promise<AppendFloor> {
  const dir = await Deno.makeTempDir({ prefix: "neuromesh-sqlite-floor-" });
  const db = new DatabaseSync(`${dir}/floor.db`);
  try {
    db.exec("PRAGMA journal_mode = WAL");
    db.exec("PRAGMA synchronous = FULL");
    db.exec("CREATE TABLE rows (id TEXT PRIMARY KEY, data TEXT NOT NULL)");
    const insert = db.prepare("INSERT INTO rows (id, data) VALUES (?, ?)");
    const data = "x".repeat(options.rowBytes);
    const times: number[] = [];
    for (let i = 0; i < options.appends; i++) {
      const started = performance.now();
      insert.run(`row-${i}`, data);
      times.push(performance.now() - started);
    }
    const summary = summarize(times);
    return { p50Ms: summary.p50, p99Ms: summary.p99 };
  } finally {
    db.close();
    await Deno.remove(dir, { recursive: true });
  }
}
