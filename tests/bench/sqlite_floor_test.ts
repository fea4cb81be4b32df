import assert from "node:assert/strict";
import { measureSqliteAppendFloor } from "./sqlite_floor.ts";

Deno.test("measureSqliteAppendFloor() times fsynced single-row commits", async () => {
  const floor = await measureSqliteAppendFloor({ appends: 20, rowBytes: 100 });
  assert.ok(floor.p50Ms > 0 && floor.p99Ms >= floor.p50Ms, JSON.stringify(floor));
});
