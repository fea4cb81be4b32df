import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { inTransaction } from "./transaction.ts";

function database() {
  const db = new DatabaseSync(":memory:");
  db.exec("PRAGMA synchronous = FULL");
  db.exec("CREATE TABLE t (v INTEGER)");
  return db;
}
const synchronous = (db: DatabaseSync) =>
  (db.prepare("PRAGMA synchronous").get() as { synchronous: number }).synchronous;
const count = (db: DatabaseSync) =>
  (db.prepare("SELECT count(*) AS n FROM t").get() as { n: number }).n;

Deno.test("a normal commit runs with synchronous=NORMAL and leaves the connection FULL", () => {
  const db = database();
  const during = inTransaction(
    db,
    () => {
      db.exec("INSERT INTO t VALUES (1)");
      return synchronous(db);
    },
    "normal",
    () => {},
  );
  // PRAGMA synchronous is read inside the transaction: NORMAL is 1, FULL is 2.
  assert.equal(during, 1);
  assert.equal(synchronous(db), 2);
  assert.equal(count(db), 1);
});

Deno.test("a throwing body rolls back, calls onRollback and still restores FULL", () => {
  const db = database();
  let rolledBack = 0;
  assert.throws(
    () =>
      inTransaction(
        db,
        () => {
          db.exec("INSERT INTO t VALUES (1)");
          throw new Error("boom");
        },
        "normal",
        () => rolledBack++,
      ),
    /boom/,
  );
  assert.equal(rolledBack, 1);
  assert.equal(count(db), 0);
  assert.equal(synchronous(db), 2);
});

Deno.test("a nested call joins the running transaction", () => {
  const db = database();
  inTransaction(
    db,
    () => {
      inTransaction(db, () => db.exec("INSERT INTO t VALUES (1)"), "normal", () => {});
      assert.equal(synchronous(db), 2); // the outer, full transaction's setting
    },
    "full",
    () => {},
  );
  assert.equal(count(db), 1);
});
