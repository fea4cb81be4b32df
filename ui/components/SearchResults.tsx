import type { SearchHit } from "../api/archive.ts";
import { search } from "../models/app.ts";

/** The snippet with its matched words marked. */
function Snippet({ hit }: { hit: SearchHit }) {
  const parts = [];
  let at = 0;
  for (const [start, end] of hit.matches) {
    if (start < at) continue;
    parts.push(hit.snippet.slice(at, start), <mark>{hit.snippet.slice(start, end)}</mark>);
    at = end;
  }
  parts.push(hit.snippet.slice(at));
  return <span class="search-snippet">{parts}</span>;
}

/** "In messages": every message holding the searched words (the node's full-text search). */
export function SearchResults() {
  const results = search.results.value;
  const error = search.error.value;
  if (!results && !error && !search.searching.value) return null;
  return (
    <section
      class="search-results"
      aria-label="Found in messages"
      aria-busy={search.searching.value}
    >
      <h2 class="section-title">In messages</h2>
      {error && <p class="empty muted" role="alert">{error}</p>}
      {results && results.hits.length === 0 && (
        <p class="empty muted">No message holds these words.</p>
      )}
      <ul class="conversation-list">
        {results?.hits.map((hit) => (
          <li key={hit.messageId}>
            <button
              type="button"
              class="conversation-link search-hit"
              onClick={() => search.open(hit)}
            >
              <span class="conversation-line">
                <span class="conversation-title">{hit.conversationTitle || "Untitled"}</span>
                <span class="conversation-time">
                  {hit.messageType === "Question" ? hit.sender : hit.model ?? hit.sender}
                </span>
              </span>
              <Snippet hit={hit} />
            </button>
          </li>
        ))}
      </ul>
      {results?.more && <p class="empty muted">More messages match: add a word to narrow it.</p>}
    </section>
  );
}
