/**
 * Search over every message a node holds, as the API shows it: each hit names its conversation
 * (and whose it is shown as, like the list does) and carries the matching passage. Pure mapping
 * of the store's hits.
 */
import type { StoredHit } from "../store/message_search.ts";
import type { ConversationStore } from "../store/store.ts";
import type { MessageType } from "../model/conversation.ts";
import { shownOrigin } from "./views.ts";

/** Hits returned when the caller does not say; and at most. */
export const DEFAULT_SEARCH_LIMIT = 20;
export const MAX_SEARCH_LIMIT = 100;
/** Longest query accepted, in characters. */
export const MAX_SEARCH_CHARS = 200;

export interface SearchHit {
  conversationId: string;
  conversationTitle: string;
  /** Whose the conversation is shown as (this node, a peer, or a device imported from). */
  originNode: string;
  originName: string;
  readOnly: boolean;
  messageId: string;
  messageType: MessageType;
  sender: string;
  timestamp: string;
  model?: string;
  /** The passage around the matches, plain text. */
  snippet: string;
  /** Where the matched words are in `snippet`: [start, end) offsets. */
  matches: [number, number][];
}

export interface SearchResults {
  query: string;
  hits: SearchHit[];
  /** More messages match than were returned. */
  more: boolean;
}

export function toSearchHit({ header, message, snippet }: StoredHit, selfId: string): SearchHit {
  return {
    conversationId: header.id,
    conversationTitle: header.title,
    ...shownOrigin(header, selfId),
    messageId: message.id,
    messageType: message.messageType,
    sender: message.sender,
    timestamp: message.timestamp,
    ...(message.model ? { model: message.model } : {}),
    snippet: snippet.text,
    matches: snippet.matches,
  };
}

/** The messages of every conversation holding all words of `query`, best first. */
export function searchConversations(
  store: ConversationStore,
  query: string,
  limit = DEFAULT_SEARCH_LIMIT,
): SearchResults {
  const page = store.searchMessages(query, Math.min(limit, MAX_SEARCH_LIMIT));
  return {
    query,
    hits: page.hits.map((hit) => toSearchHit(hit, store.nodeId)),
    more: page.more,
  };
}
