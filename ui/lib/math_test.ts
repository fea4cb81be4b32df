import assert from "node:assert/strict";
import { markdownToHtml } from "./markdown.ts";
import { renderToString } from "katex";
import { onMathWanted, renderMath, setTexRenderer } from "./math.ts";

setTexRenderer(renderToString);

Deno.test("renderMath() gives MathML without the TeX annotation", () => {
  const html = renderMath("\\frac{a}{b}", false);
  assert.match(html, /^<span class="katex"><math[^>]*>/);
  assert.match(html, /<mfrac>/);
  assert.doesNotMatch(html, /annotation|semantics/);
  assert.match(renderMath("x^2", true), /display="block"/);
});

Deno.test("renderMath() shows invalid TeX as written, escaped", () => {
  const html = renderMath("\\frac{<b>", false);
  assert.match(html, /class="math-error"/);
  assert.match(html, /\$\\frac\{&lt;b&gt;\$/);
});

Deno.test("renderMath() refuses TeX that would link or style (trust off)", () => {
  for (const tex of ["\\href{javascript:alert(1)}{x}", "\\url{http://x}", "\\htmlClass{a}{b}"]) {
    const html = renderMath(tex, false);
    assert.doesNotMatch(html, /javascript:|href=|class="a"/, `${tex} → ${html}`);
  }
});

Deno.test("markdown finds $…$, \\(…\\), $$…$$ and \\[…\\] maths", () => {
  const inline = markdownToHtml("Euler: $e^{i\\pi} + 1 = 0$, and \\(a+b\\).");
  assert.equal(inline.match(/<math/g)?.length, 2, inline);
  assert.match(inline, /^<p>Euler: <span class="katex"><math/);
  const block = markdownToHtml("Sum:\n\n$$\n\\sum_{k=1}^n k = \\frac{n(n+1)}{2}\n$$\n\nDone.");
  assert.match(block, /<div class="math-block">.*<math[^>]*display="block"/);
  assert.match(block, /<p>Done\.<\/p>/);
  assert.match(markdownToHtml("\\[x^2\\]"), /math-block/);
});

Deno.test("markdown leaves dollar amounts, code and escaped dollars alone", () => {
  assert.doesNotMatch(markdownToHtml("It costs $5 and $10 today."), /<math/);
  assert.doesNotMatch(markdownToHtml("Between $ 5 and 6 $ here"), /<math/);
  assert.doesNotMatch(markdownToHtml("`$x$` in code"), /<math/);
  assert.doesNotMatch(markdownToHtml("```\n$$x$$\n```"), /<math/);
  assert.doesNotMatch(markdownToHtml("\\$x\\$ is not maths"), /<math/);
});

Deno.test("before KaTeX is loaded, maths shows as its source and asks for KaTeX", () => {
  let asked = 0;
  onMathWanted(() => asked++);
  setTexRenderer(null);
  try {
    const html = markdownToHtml("Area: $\\pi r^2$");
    assert.match(html, /<code class="math-pending">\$\\pi r\^2\$<\/code>/);
    assert.equal(asked, 1);
  } finally {
    setTexRenderer(renderToString);
    onMathWanted(() => {});
  }
});
