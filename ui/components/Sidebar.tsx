import { groupByDate } from "../lib/conversation_groups.ts";
import { conversations, live, minute, search, status, view } from "../models/app.ts";
import { ArchiveTools } from "./ArchiveTools.tsx";
import { ConversationItem } from "./ConversationItem.tsx";
import { SearchResults } from "./SearchResults.tsx";
import { useJumpToMessage } from "./use_jump_to_message.ts";
import { ApprovalCount } from "./Approvals.tsx";
import { CloseIcon, MeshIcon, PlusIcon, SearchIcon, SettingsIcon } from "./icons.tsx";

const STATE_LABEL: Record<string, string> = {
  up: "online",
  connecting: "connecting",
  backoff: "retrying",
  lost: "offline",
  discovered: "discovered",
  unknown: "not seen",
};

export function Sidebar() {
  const groups = conversations.sidebarGroups.value;
  const query = view.search.value;
  const online = status.onlinePeerCount.value;
  const open = view.route.value.view;
  // While searching, title matches are listed plainly (best found first), not by date.
  const dated = query.trim()
    ? [{ label: "", entries: groups.local }]
    : groupByDate(groups.local, new Date(minute.value));
  useJumpToMessage();
  return (
    <aside class="sidebar glass" aria-label="Conversations">
      <div class="sidebar-head">
        <div class="brand">
          <div class="brand-mark" aria-hidden="true" />
          <div>
            <div class="brand-name">NeuroMesh</div>
            <div class="brand-node muted">{status.node.value?.name ?? "connecting…"}</div>
          </div>
        </div>
        <button
          type="button"
          class="icon-button drawer-close"
          aria-label="Close the conversation list"
          onClick={view.closeDrawer}
        >
          <CloseIcon size={20} />
        </button>
      </div>
      <button
        type="button"
        class="button new-chat"
        data-testid="new-chat"
        onClick={conversations.newChat}
      >
        <PlusIcon size={18} /> New chat
      </button>
      <label class="search">
        <SearchIcon size={16} />
        <input
          type="search"
          placeholder="Search chats"
          aria-label="Search chats"
          value={query}
          onInput={(event) => {
            const text = (event.target as HTMLInputElement).value;
            view.setSearch(text);
            search.setQuery(text);
          }}
        />
      </label>
      <nav class="conversation-nav">
        <h2 class="section-title">This device</h2>
        {groups.local.length === 0 && (
          <p class="empty muted">
            {query
              ? "No title matches."
              : conversations.listLoaded.value
              ? "No conversations yet."
              : "Loading…"}
          </p>
        )}
        <div data-testid="local-conversations">
          {dated.map((group) => (
            <section key={group.label} aria-label={group.label || undefined}>
              {group.label && <h3 class="date-group-title">{group.label}</h3>}
              <ul class="conversation-list">
                {group.entries.map((entry) => <ConversationItem key={entry.id} entry={entry} />)}
              </ul>
            </section>
          ))}
        </div>
        {groups.received.length > 0 && <h2 class="section-title">From peers</h2>}
        {groups.received.map((group) => (
          <div class="peer-group" key={group.peerId} data-testid="peer-group">
            <h3 class="peer-group-title">
              <span
                class={`dot ${
                  group.state === "up" ? "ok" : group.state === "lost" ? "bad" : "mid"
                }`}
              />
              <span class="peer-group-name">{group.name}</span>
              <span class="muted">{STATE_LABEL[group.state]}</span>
            </h3>
            <ul class="conversation-list">
              {group.conversations.map((entry) => (
                <ConversationItem
                  key={entry.id}
                  entry={entry}
                />
              ))}
            </ul>
          </div>
        ))}
        <SearchResults />
      </nav>
      <ArchiveTools />
      <div class="sidebar-foot">
        <button
          type="button"
          class={open === "peers" ? "nav-button active" : "nav-button"}
          data-testid="nav-peers"
          onClick={() => view.navigate({ view: "peers" })}
        >
          <MeshIcon size={18} />
          <span>Mesh</span>
          <ApprovalCount />
          <span class="count">{online} online</span>
        </button>
        <button
          type="button"
          class={open === "settings" ? "nav-button active" : "nav-button"}
          data-testid="nav-settings"
          onClick={() => view.navigate({ view: "settings" })}
        >
          <SettingsIcon size={18} />
          <span>Settings</span>
          <span
            class={`dot ${live.connection.value === "online" ? "ok" : "bad"}`}
            title={live.connection.value}
          />
        </button>
      </div>
    </aside>
  );
}
