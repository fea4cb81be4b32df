import assert from "node:assert/strict";
import { formatModelList, NO_MODELS } from "./ls.ts";
import { STATUS, TAGS } from "./testing/sample_views.ts";

Deno.test("formatModelList() shows each model with its hosts and their load", () => {
  assert.deepEqual(formatModelList(TAGS, STATUS), [
    "NAME          PARAMS   SIZE    HOSTS",
    "llama3.2:3b   3.2B     2.0 GB  desk (this node) 1/2 busy, laptop 2/2 busy +3 queued",
    "qwen2.5:0.5b  494.03M  398 MB  laptop 2/2 busy +3 queued",
  ]);
});

Deno.test("formatModelList() without status shows hosts by name; an empty mesh says what to do", () => {
  assert.deepEqual(formatModelList(TAGS, null).slice(1), [
    "llama3.2:3b   3.2B     2.0 GB  desk (this node), laptop",
    "qwen2.5:0.5b  494.03M  398 MB  laptop",
  ]);
  assert.deepEqual(formatModelList({ models: [] }, STATUS), [NO_MODELS]);
  const bare = { models: [{ name: "x", hosts: [] }] };
  assert.deepEqual(formatModelList(bare, STATUS), ["NAME  PARAMS  SIZE  HOSTS", "x"]);
});
