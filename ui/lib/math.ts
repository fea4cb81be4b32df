import type { TokenizerAndRendererExtension } from "marked";
import { escapeHtml } from "./highlight.ts";

/**
 * Maths in answers: `$…$` and `\(…\)` inline, `$$…$$` and `\[…\]` as blocks (the forms LLMs
 * write), rendered by KaTeX to MathML, which browsers draw natively: no KaTeX fonts or styles
 * are shipped. KaTeX runs without `\href`, `\url` or `\htmlClass` (trust off) and with small size
 * and macro limits, and its output still goes through the sanitizer like any answer.
 *
 * KaTeX is bigger than the rest of the page, so the page loads it only when an answer holds
 * maths (ui/models/math.ts sets it here); until then maths shows as its source.
 */
export type TexRenderer = (tex: string, options: Record<string, unknown>) => string;

let renderer: TexRenderer | null = null;
let wanted: () => void = () => {};

/** Installs KaTeX's renderToString (once loaded); `null` removes it (tests). */
export function setTexRenderer(next: TexRenderer | null): void {
  renderer = next;
}

/** Called when maths is met while KaTeX is not loaded yet. */
export function onMathWanted(callback: () => void): void {
  wanted = callback;
}

export function renderMath(tex: string, display: boolean): string {
  const source = display ? `$$${tex}$$` : `$${tex}$`;
  if (!renderer) {
    wanted();
    return `<code class="math-pending">${escapeHtml(source)}</code>`;
  }
  try {
    const mathml = renderer(tex, {
      displayMode: display,
      output: "mathml",
      throwOnError: true,
      trust: false,
      strict: "ignore",
      maxSize: 20,
      maxExpand: 200,
    });
    // The TeX source rides along in <annotation>; the sanitizer would turn it into visible text.
    return mathml
      .replace(/<annotation[^>]*>[\s\S]*?<\/annotation>/g, "")
      .replace(/<\/?semantics>/g, "");
  } catch {
    // Not valid TeX (or a dollar amount that looked like maths): show what was written.
    return `<code class="math-error" title="not valid TeX">${escapeHtml(source)}</code>`;
  }
}

/** `$…$` (not `$ 5`, `5 $`, `$5 and $10`), or `\(…\)`. */
const INLINE = /^(?:\$(?!\s)((?:\\.|[^\\$\n])+?)(?<!\s)\$(?!\d)|\\\(([\s\S]+?)\\\))/;
/** `$$…$$` or `\[…\]` starting a block, possibly over several lines. */
const BLOCK = /^(?:\$\$([\s\S]+?)\$\$|\\\[([\s\S]+?)\\\])[ \t]*(?:\n+|$)/;

function firstOf(src: string, needles: string[]): number | undefined {
  const found = needles.map((n) => src.indexOf(n)).filter((i) => i >= 0);
  return found.length > 0 ? Math.min(...found) : undefined;
}

/** The marked extensions that find maths in markdown (code spans and blocks are left alone). */
export const mathExtensions: TokenizerAndRendererExtension[] = [
  {
    name: "mathBlock",
    level: "block",
    start: (src) => firstOf(src, ["$$", "\\["]),
    tokenizer(src) {
      const match = BLOCK.exec(src);
      if (!match) return undefined;
      return { type: "mathBlock", raw: match[0], text: (match[1] ?? match[2]).trim() };
    },
    renderer: (token) => `<div class="math-block">${renderMath(token.text, true)}</div>\n`,
  },
  {
    name: "mathInline",
    level: "inline",
    start: (src) => firstOf(src, ["$", "\\("]),
    tokenizer(src) {
      const match = INLINE.exec(src);
      if (!match) return undefined;
      return { type: "mathInline", raw: match[0], text: match[1] ?? match[2] };
    },
    renderer: (token) => renderMath(token.text, false),
  },
];
