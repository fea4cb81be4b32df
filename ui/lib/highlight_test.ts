import assert from "node:assert/strict";
import { escapeHtml, highlight } from "./highlight.ts";

Deno.test("escapeHtml() escapes the five HTML-special characters", () => {
  assert.equal(
    escapeHtml(`<a href="x">'&'</a>`),
    "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;",
  );
});

Deno.test("highlight() marks keywords, strings, numbers and comments in C-like code", () => {
  const html = highlight('const x = "hi"; // note\nreturn 42;', "ts");
  assert.equal(
    html,
    '<span class="tok-k">const</span> x = <span class="tok-s">&quot;hi&quot;</span>; ' +
      '<span class="tok-c">// note</span>\n<span class="tok-k">return</span> <span class="tok-n">42</span>;',
  );
});

Deno.test("highlight() uses # comments for Python and shell", () => {
  assert.equal(
    highlight("x = 1 # one", "python"),
    'x = <span class="tok-n">1</span> <span class="tok-c"># one</span>',
  );
  // In C-like languages # is not a comment.
  assert.equal(highlight("#include", "c"), "#include");
});

Deno.test("highlight() uses -- comments for SQL only", () => {
  assert.equal(highlight("-- all", "sql"), '<span class="tok-c">-- all</span>');
  assert.equal(highlight("i-- ", "c"), "i-- ");
});

Deno.test("highlight() escapes markup inside code and strings", () => {
  const html = highlight('<script>alert("x")</script>', "html");
  assert.ok(!html.includes("<script>"));
  assert.ok(html.includes("&lt;script&gt;"));
  assert.ok(html.includes('<span class="tok-s">&quot;x&quot;</span>'));
});

Deno.test("highlight() tolerates an unterminated string or comment while streaming", () => {
  assert.equal(
    highlight('print("unfinished', "py"),
    'print(<span class="tok-s">&quot;unfinished</span>',
  );
  assert.equal(highlight("/* open", "js"), '<span class="tok-c">/* open</span>');
});

Deno.test("highlight() leaves plain text alone apart from escaping", () => {
  assert.equal(highlight("if 1 < 2", "text"), "if 1 &lt; 2");
});
