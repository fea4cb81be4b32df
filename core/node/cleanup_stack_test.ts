import assert from "node:assert/strict";
import { type Logger, silentLogger } from "../log/logger.ts";
import { CleanupStack } from "./cleanup_stack.ts";

Deno.test("CleanupStack undoes in reverse order, once, past a failing step", async () => {
  const warnings: string[] = [];
  const logger: Logger = { ...silentLogger, warn: (event) => warnings.push(event) };
  const stack = new CleanupStack(logger);
  const done: string[] = [];
  stack.push(() => {
    done.push("store");
  });
  stack.push(() => {
    throw new Error("socket already gone");
  });
  stack.push(async () => {
    await Promise.resolve();
    done.push("http");
  });
  await stack.unwind();
  assert.deepEqual(done, ["http", "store"]);
  assert.deepEqual(warnings, ["shutdown step failed"]);
  await stack.unwind();
  assert.deepEqual(done, ["http", "store"], "a second unwind has nothing left");
});
