/**
 * Full-text search over every message the store holds (the FTS5 table `message_search`, kept in
 * step by the triggers of migration 4). Best matches first (bm25), newer first among equals.
 */
import type { DatabaseSync } from "node:sqlite";
import type { ChatMessage, ConversationHeader } from "../model/conversation.ts";
import { ftsQuery, type MarkedText, MATCH_END, MATCH_START, parseSnippet } from "./search_query.ts";

/** Tokens of context around the matches in a snippet. */
const SNIPPET_TOKENS = 16;

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
  const statement = db.prepare(`
    SELECT snippet(message_search, 0, ?2, ?3, '…', ${SNIPPET_TOKENS}) AS snippet,
      m.data AS message, c.data AS header
    FROM message_search s
    JOIN messages m ON m.rowid = s.rowid AND m.id = s.message_id
    JOIN conversations c ON c.id = s.conversation_id
    WHERE message_search MATCH ?1
    ORDER BY s.rank, m.created_hlc DESC
    LIMIT ?4`);
  /** Messages matching every word of `text` (prefixes included); none for a text without words. */
  return (text: string, limit: number): SearchPage => {
    const match = ftsQuery(text);
    if (match === null) return { hits: [], more: false };
    const rows = statement.all(match, MATCH_START, MATCH_END, limit + 1) as Record<
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
