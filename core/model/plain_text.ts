/**
 * Markdown reduced to one line of plain words: conversation titles made from a question, and
 * the page's previews (ui/lib/plain_text.ts re-exports it). Pure, no dependencies.
 */
export function plainPreview(markdown: string): string {
  return markdown
    .replace(/```[^\n]*\n?/g, " ") // fence lines
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1") // links and images keep their text
    .replace(/<[^>]*>/g, " ") // tags
    .replace(/^\s{0,3}(#{1,6}|>|[-*+]|\d+[.)])\s+/gm, "") // headings, quotes, list markers
    .replace(/[*~`]+/g, "") // emphasis and code marks
    .replace(/(^|\s)_+|_+(?=\s|[.,;:!?]|$)/g, "$1") // _emphasis_, but not snake_case
    .replace(/\s+/g, " ")
    .trim();
}
