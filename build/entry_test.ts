import assert from "node:assert/strict";
import { SOURCE_MODULES } from "../main.ts";
import { BUNDLED_MODULES } from "./entry.ts";

Deno.test("the bundle's entry loads the same module for every command as main.ts", async () => {
  const names = Object.keys(SOURCE_MODULES) as (keyof typeof SOURCE_MODULES)[];
  assert.deepEqual(Object.keys(BUNDLED_MODULES).sort(), [...names].sort());
  for (const name of names) {
    assert.equal(await BUNDLED_MODULES[name](), await SOURCE_MODULES[name](), name);
  }
});
