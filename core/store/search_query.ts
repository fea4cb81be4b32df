/**
 * What a person types into the search box, as an FTS5 query. Pure.
 *
 * Every word becomes a quoted prefix term (`"word"*`), so no character the person types is read
 * as FTS5 syntax (quotes, `AND`, `NEAR`, `-`, `:` …) and a word still being typed already
 * matches. All words must occur in the message (FTS5's implicit AND).
 */

/** Words kept from one query; more only slow the search without narrowing it usefully. */
export const MAX_QUERY_WORDS = 12;

/** The FTS5 MATCH expression for `text`, or null when it holds no letter or digit to look for. */
export function ftsQuery(text: string): string | null {
  // Control characters separate words too: FTS5 reads the expression as a C string, so a NUL
  // inside a quoted term ended it there ("unterminated string", a 500).
  const words = text.split(/[\s\p{Cc}]+/u)
    // A term without a letter or digit tokenizes to nothing: FTS5 would refuse the query.
    .filter((word) => /[\p{L}\p{N}]/u.test(word))
    .slice(0, MAX_QUERY_WORDS);
  if (words.length === 0) return null;
  return words.map((word) => `"${word.replaceAll('"', '""')}"*`).join(" ");
}

/** Marks FTS5's snippet() puts around each match; control characters no message text holds. */
export const MATCH_START = "\u0002";
export const MATCH_END = "\u0003";

/** A snippet with its matches as [start, end) offsets into the plain text. */
export interface MarkedText {
  text: string;
  matches: [number, number][];
}

/** Splits a snippet marked with MATCH_START/MATCH_END into plain text and match offsets. */
export function parseSnippet(marked: string): MarkedText {
  let text = "";
  const matches: [number, number][] = [];
  let start = -1;
  for (const char of marked) {
    if (char === MATCH_START) start = text.length;
    else if (char === MATCH_END) {
      if (start >= 0 && text.length > start) matches.push([start, text.length]);
      start = -1;
    } else text += char;
  }
  return { text, matches };
}
