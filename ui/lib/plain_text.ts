/** Markdown reduced to one line of plain words, for previews in the sidebar. */
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
