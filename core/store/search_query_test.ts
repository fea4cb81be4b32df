import assert from "node:assert/strict";
import { ftsQuery, MATCH_END, MATCH_START, MAX_QUERY_WORDS, parseSnippet } from "./search_query.ts";

Deno.test("ftsQuery() makes every word a quoted prefix term", () => {
  assert.equal(ftsQuery("  ocean  tides "), '"ocean"* "tides"*');
});

Deno.test("ftsQuery() keeps FTS5 syntax typed by a person as plain text", () => {
  assert.equal(ftsQuery('say "hi" NEAR x-y col:z'), '"say"* """hi"""* "NEAR"* "x-y"* "col:z"*');
});

Deno.test("ftsQuery() drops words without a letter or digit, and is null when none is left", () => {
  assert.equal(ftsQuery('- * " café'), '"café"*');
  assert.equal(ftsQuery(" - ** "), null);
  assert.equal(ftsQuery(""), null);
});

Deno.test("ftsQuery() keeps at most MAX_QUERY_WORDS words", () => {
  const words = Array.from({ length: MAX_QUERY_WORDS + 5 }, (_, i) => `w${i}`);
  assert.equal(ftsQuery(words.join(" "))!.split(" ").length, MAX_QUERY_WORDS);
});

Deno.test("parseSnippet() returns the plain text and where each match is", () => {
  const marked = `…the ${MATCH_START}ocean${MATCH_END} and its ${MATCH_START}tides${MATCH_END}`;
  const { text, matches } = parseSnippet(marked);
  assert.equal(text, "…the ocean and its tides");
  assert.deepEqual(matches.map(([s, e]) => text.slice(s, e)), ["ocean", "tides"]);
});

Deno.test("parseSnippet() ignores an unbalanced or empty mark", () => {
  assert.deepEqual(parseSnippet(`a${MATCH_END}b${MATCH_START}${MATCH_END}c`), {
    text: "abc",
    matches: [],
  });
});

Deno.test("ftsQuery() splits words at control characters (a NUL ended FTS5's quoted term)", () => {
  assert.equal(ftsQuery("moon\u0000tides"), '"moon"* "tides"*');
  assert.equal(ftsQuery("\u0000\u0002"), null);
});
