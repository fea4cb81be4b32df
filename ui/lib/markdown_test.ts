import assert from "node:assert/strict";
import { markdownToHtml } from "./markdown.ts";

Deno.test("markdownToHtml() renders basic markdown", () => {
  const html = markdownToHtml("# Title\n\n**bold** and `code`\n\n- a\n- b");
  assert.match(html, /<h1>Title<\/h1>/);
  assert.match(html, /<strong>bold<\/strong>/);
  assert.match(html, /<code>code<\/code>/);
  assert.match(html, /<li>a<\/li>/);
});

Deno.test("markdownToHtml() shows raw HTML blocks and inline tags as text", () => {
  const html = markdownToHtml(
    '<script>alert(1)</script>\n\nhi <img src=x onerror="alert(2)"> there',
  );
  assert.ok(!html.includes("<script"), html);
  assert.ok(!html.includes("<img"), html);
  assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  assert.match(html, /&lt;img src=x onerror=&quot;alert\(2\)&quot;&gt;/);
});

Deno.test("markdownToHtml() wraps fenced code with a language label, highlighting and a copy button", () => {
  const html = markdownToHtml("```js\nconst a = 1;\n```");
  assert.match(html, /<span class="code-lang">js<\/span>/);
  assert.match(html, /data-copy-code/);
  assert.match(html, /<span class="tok-k">const<\/span>/);
});

Deno.test("markdownToHtml() renders an unclosed fence (answer still streaming) as code", () => {
  const html = markdownToHtml("Here:\n```python\nprint(1)");
  assert.match(html, /<pre><code>print\(<span class="tok-n">1<\/span>\)/);
});

Deno.test("markdownToHtml() escapes a hostile language label", () => {
  const html = markdownToHtml('```"><img/src/onerror=alert(1)>\nx\n```');
  assert.ok(!html.includes("<img"), html);
});
