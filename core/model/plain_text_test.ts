import assert from "node:assert/strict";
import { plainPreview } from "./plain_text.ts";

Deno.test("plainPreview() drops markdown marks and keeps the words on one line", () => {
  assert.equal(
    plainPreview(
      "# Title\nUse a **length prefix**. Each frame:\n\n1. a `marker`\n- [docs](http://x)",
    ),
    "Title Use a length prefix. Each frame: a marker docs",
  );
});

Deno.test("plainPreview() removes code fences and tags", () => {
  assert.equal(plainPreview("```ts\nconst a = 1;\n```\n<b>hi</b>"), "const a = 1; hi");
});

Deno.test("plainPreview() keeps underscores inside words", () => {
  assert.equal(
    plainPreview("call _my_func_ with window.__pwned and snake_case."),
    "call my_func with window.__pwned and snake_case.",
  );
});
