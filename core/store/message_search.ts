/**
 * Full-text search over every message the store holds (the FTS5 table `message_search`, kept in
 * step by the triggers of migration 4). Best matches first (bm25).
 *
 * Ranking every match of a common word would cost a scan of all of them (about 0.3 s for 100,000
 * matching messages), so the ranking runs over the newest RANKED_WINDOW matches only: finding
 * that window is an index walk, and what is older than thousands of matches is rarely the answer.
 */
import type { DatabaseSync } from "node:sqlite";
import type { ChatMessage, ConversationHeader } from "../model/conversation.ts";
import { ftsQuery, type MarkedText, MATCH_END, MATCH_START, parseSnippet } from "./search_query.ts";

/** Tokens of context around the matches in a snippet. */
const SNIPPET_TOKENS = 16;
/** Matches ranked per search: the newest ones. */
export const RANKED_WINDOW = 2000;

/** One message that matches, with its conversation and the matching passage. */
export interface StoredHit {
  header: ConversationHeader;
  message: ChatMessage;
  snippet: MarkedText;
}

export interface SearchPage {
  hits: StoredHit[];
  /** More messages match than `limit`. */
  more: boolean;
}

/** Prepares the search of one open database; the returned function runs it. */
export function prepareMessageSearch(db: DatabaseSync) {
  // The oldest rowid of the newest RANKED_WINDOW matches (index rows keep their message's rowid,
  // which grows as messages are written).
  const windowStart = db.prepare(`
    SELECT rowid FROM message_search WHERE message_search MATCH ?1
    ORDER BY rowid DESC LIMIT 1 OFFSET ${RANKED_WINDOW - 1}`);
  // bm25() rather than FTS5's `rank`: ordering by `rank` ignores the rowid bound and scores
  // every match (measured: 290 ms against 30 ms for the window of 2,000 in 100,000 matches).
  const ranked = db.prepare(`
    SELECT top.snippet AS snippet, m.data AS message, c.data AS header FROM (
      SELECT rowid AS r, message_id, conversation_id, bm25(message_search) AS k,
        snippet(message_search, 0, ?2, ?3, '…', ${SNIPPET_TOKENS}) AS snippet
      FROM message_search WHERE message_search MATCH ?1 AND rowid >= ?5
      ORDER BY k LIMIT ?4
    ) top
    JOIN messages m ON m.rowid = top.r AND m.id = top.message_id
    JOIN conversations c ON c.id = top.conversation_id
    ORDER BY top.k`);
  /** Messages matching every word of `text` (prefixes included); none for a text without words. */
  return (text: string, limit: number): SearchPage => {
    const match = ftsQuery(text);
    if (match === null) return { hits: [], more: false };
    const start = (windowStart.get(match) as { rowid: number } | undefined)?.rowid ?? 0;
    const rows = ranked.all(match, MATCH_START, MATCH_END, limit + 1, start) as Record<
      string,
      string
    >[];
    return {
      hits: rows.slice(0, limit).map((row) => ({
        header: JSON.parse(row.header),
        message: JSON.parse(row.message),
        snippet: parseSnippet(row.snippet),
      })),
      more: rows.length > limit,
    };
  };
}
