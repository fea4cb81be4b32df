import assert from "node:assert/strict";
import { meshModelList } from "./client.ts";

Deno.test("meshModelList() accepts a bare list and { models }", () => {
  const models = [{ name: "m", hosts: [] }];
  assert.deepEqual(meshModelList(models), models);
  assert.deepEqual(meshModelList({ models }), models);
});

Deno.test("meshModelList() refuses anything else, quoting it", () => {
  assert.throws(
    () => meshModelList({ nope: 1 }),
    /neither an array nor \{ models \}: \{"nope":1\}/,
  );
  assert.throws(() => meshModelList(null), /neither/);
});
