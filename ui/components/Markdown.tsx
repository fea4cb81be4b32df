import { useMemo } from "preact/hooks";
import { copyText } from "../lib/clipboard.ts";
import { markdownToHtml } from "../lib/markdown.ts";
import { sanitizeHtml } from "../lib/sanitize.ts";
import { math } from "../models/app.ts";

/** Copy buttons inside rendered code blocks, handled by delegation (the HTML is a string). */
async function onClick(event: MouseEvent) {
  const button = (event.target as Element | null)?.closest?.("[data-copy-code]");
  if (!(button instanceof HTMLElement)) return;
  const code = button.closest(".code-block")?.querySelector("pre");
  if (!code) return;
  const ok = await copyText(code.textContent ?? "");
  button.textContent = ok ? "Copied" : "Copy failed";
  setTimeout(() => (button.textContent = "Copy"), 1500);
}

export function Markdown({ text, streaming }: { text: string; streaming?: boolean }) {
  // Maths shows as source until KaTeX is in (ui/models/math.ts), then renders again.
  const mathReady = math.ready.value;
  const html = useMemo(() => sanitizeHtml(markdownToHtml(text)), [text, mathReady]);
  return (
    <div
      class={streaming ? "md streaming" : "md"}
      onClick={onClick}
      // Sanitized above: raw HTML is escaped by the renderer and DOMPurify removes the rest.
      dangerouslySetInnerHTML={{ __html: html }}
    />
  );
}
