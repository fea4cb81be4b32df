import { type ReadonlySignal, signal } from "@preact/signals";
import { type ArchiveApi, archiveApi, type SearchHit, type SearchResults } from "../api/archive.ts";
import { errorText } from "../lib/errors.ts";
import type { Route } from "../lib/route.ts";

/** Shortest text searched inside messages (one letter would match half of every chat). */
export const MIN_SEARCH_CHARS = 2;
/** Typing pauses this long before the node is asked. */
export const SEARCH_DELAY_MS = 250;
/** How long a found message stays highlighted. */
export const FOUND_HIGHLIGHT_MS = 4_000;

/** A message to bring into view once its conversation is open, and the words found in it. */
export type JumpTarget = { conversationId: string; messageId: string; words: string[] };

/** Search inside every message (the node's full-text index) and the jump to a hit. */
export interface SearchModel {
  /** The node's answer for the text in the box; null when the box is (almost) empty. */
  readonly results: ReadonlySignal<SearchResults | null>;
  readonly searching: ReadonlySignal<boolean>;
  readonly error: ReadonlySignal<string | null>;
  readonly jumpTarget: ReadonlySignal<JumpTarget | null>;
  /** The message just brought into view, highlighted for FOUND_HIGHLIGHT_MS; null otherwise. */
  readonly found: ReadonlySignal<string | null>;
  /** The search box changed: asks the node after a pause; the newest text wins. */
  setQuery(text: string): void;
  /** Opens a hit's conversation and marks its message to be scrolled to and highlighted. */
  open(hit: SearchHit): void;
  /**
   * The page brought the target into view (`messageId`, highlighted for a moment) or gave up
   * (no id).
   */
  jumped(messageId?: string): void;
}

export interface SearchDeps {
  api?: Pick<ArchiveApi, "search">;
  navigate(next: Route): void;
  /** Timers (immediate in tests). */
  later?: (run: () => void, ms: number) => () => void;
}

const browserLater = (run: () => void, ms: number) => {
  const timer = setTimeout(run, ms);
  return () => clearTimeout(timer);
};

export function createSearchModel(
  { api = archiveApi, navigate, later = browserLater }: SearchDeps,
): SearchModel {
  const results = signal<SearchResults | null>(null);
  const searching = signal(false);
  const error = signal<string | null>(null);
  const jumpTarget = signal<JumpTarget | null>(null);
  // A signal, not a class set on the element: the highlight survives the message being drawn
  // again, and ends on its own timer.
  const found = signal<string | null>(null);
  let cancelFound = () => {};
  let cancelPending = () => {};
  let inFlight: AbortController | null = null;

  async function run(query: string) {
    inFlight?.abort();
    const abort = inFlight = new AbortController();
    searching.value = true;
    try {
      const answer = await api.search(query, abort.signal);
      if (inFlight !== abort) return;
      results.value = answer;
      error.value = null;
    } catch (problem) {
      if (inFlight !== abort) return;
      error.value = `Search failed: ${errorText(problem)}`;
    } finally {
      if (inFlight === abort) {
        searching.value = false;
        inFlight = null;
      }
    }
  }

  return {
    results,
    searching,
    error,
    jumpTarget,
    found,
    setQuery(text) {
      cancelPending();
      const query = text.trim();
      if (query.length < MIN_SEARCH_CHARS) {
        inFlight?.abort();
        inFlight = null;
        results.value = null;
        searching.value = false;
        error.value = null;
        return;
      }
      cancelPending = later(() => void run(query), SEARCH_DELAY_MS);
    },
    open(hit) {
      const found = hit.matches.map(([start, end]) => hit.snippet.slice(start, end).toLowerCase());
      const words = [...new Set(found)];
      jumpTarget.value = { conversationId: hit.conversationId, messageId: hit.messageId, words };
      navigate({ view: "chat", conversationId: hit.conversationId });
    },
    jumped(messageId) {
      jumpTarget.value = null;
      if (messageId === undefined) return;
      cancelFound();
      found.value = messageId;
      cancelFound = later(() => {
        if (found.value === messageId) found.value = null;
      }, FOUND_HIGHLIGHT_MS);
    },
  };
}
