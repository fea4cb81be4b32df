import { Marked } from "marked";
import { escapeHtml, highlight } from "./highlight.ts";
import { mathExtensions } from "./math.ts";

/**
 * Markdown → HTML for answers and questions, maths included (math.ts). Raw HTML in the text
 * (from a model or a peer) is shown as text, never interpreted; the result still goes through
 * the sanitizer before it reaches the DOM (see sanitize.ts), so neither layer alone has to be
 * perfect.
 */
const marked = new Marked({
  gfm: true,
  breaks: false,
  async: false,
  renderer: {
    html({ text }) {
      return escapeHtml(text);
    },
    code({ text, lang }) {
      const language = (lang ?? "").trim().split(/\s+/)[0] ?? "";
      const label = language
        ? `<span class="code-lang">${escapeHtml(language)}</span>`
        : "<span></span>";
      return `<div class="code-block"><div class="code-head">${label}` +
        `<button type="button" class="copy-code" data-copy-code="">Copy</button></div>` +
        `<pre><code>${highlight(text, language)}</code></pre></div>`;
    },
  },
  extensions: mathExtensions,
});

/** Renders markdown to (unsanitized) HTML with raw HTML escaped and code highlighted. */
export function markdownToHtml(text: string): string {
  return marked.parse(text, { async: false });
}
