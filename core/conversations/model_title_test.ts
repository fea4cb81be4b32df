import assert from "node:assert/strict";
import { cleanTitle, titleRequest, TITLE_INSTRUCTION } from "./model_title.ts";

Deno.test("cleanTitle() keeps the first line's words without markdown, quotes or full stop", () => {
  assert.equal(cleanTitle('"**CRDT** merge rules."\nmore text'), "CRDT merge rules");
  assert.equal(cleanTitle("Title: Sourdough at home"), "Sourdough at home");
  assert.equal(cleanTitle("  \n "), null);
  assert.equal(cleanTitle("word ".repeat(30))!.length, 60);
});

Deno.test("titleRequest() asks briefly, with the instruction first and the answer cut short", () => {
  const request = titleRequest("q?", "a".repeat(5000), "llama3.2", "c1");
  assert.deepEqual(request.messages[0], { role: "system", content: TITLE_INSTRUCTION });
  assert.ok(request.messages[1].content.length < 1600);
  assert.equal(request.model, "llama3.2");
  assert.equal(request.options?.num_predict, 24);
});
