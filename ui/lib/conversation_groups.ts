import type { ConversationList, ConversationSummary, PeerState, PeerStatus } from "../api/types.ts";

/** A conversation in the sidebar: this device's own, or received from a peer. */
export type ConversationEntry = ConversationSummary & {
  receivedFrom: { id: string; name: string } | null;
};

export type PeerGroup = {
  peerId: string;
  name: string;
  state: PeerState | "unknown";
  conversations: ConversationEntry[];
};

export type SidebarGroups = { local: ConversationEntry[]; received: PeerGroup[] };

export function entriesFromList(list: ConversationList): ConversationEntry[] {
  return [
    ...list.local.map((summary) => ({ ...summary, receivedFrom: null })),
    ...list.received.flatMap(({ peer, conversations }) =>
      conversations.map((summary) => ({
        ...summary,
        receivedFrom: { id: peer.id, name: peer.name },
      }))
    ),
  ];
}

/**
 * Places a summary from a live event. A known conversation keeps its place; a new one is this
 * device's when it started here or can be written to, otherwise it came from its origin peer.
 */
export function entryFromSummary(
  summary: ConversationSummary,
  selfId: string | null,
  existing: ConversationEntry | undefined,
): ConversationEntry {
  if (existing) return { ...summary, receivedFrom: existing.receivedFrom };
  const local = summary.originNode === selfId || !summary.readOnly;
  return {
    ...summary,
    receivedFrom: local ? null : { id: summary.originNode, name: summary.originName },
  };
}

function matches(entry: ConversationEntry, query: string): boolean {
  if (!query) return true;
  const haystack = `${entry.title}\n${entry.preview}\n${entry.originName}`.toLowerCase();
  return query.toLowerCase().split(/\s+/).filter(Boolean).every((word) => haystack.includes(word));
}

const newestFirst = (a: ConversationEntry, b: ConversationEntry) =>
  b.updatedAt.localeCompare(a.updatedAt);

/** Splits entries into this device's and one group per peer, filtered by the search text. */
export function groupConversations(
  entries: Iterable<ConversationEntry>,
  query: string,
  peers: readonly PeerStatus[],
): SidebarGroups {
  const local: ConversationEntry[] = [];
  const byPeer = new Map<string, PeerGroup>();
  const peerById = new Map(peers.map((peer) => [peer.id, peer]));
  for (const entry of entries) {
    if (!matches(entry, query.trim())) continue;
    if (!entry.receivedFrom) {
      local.push(entry);
      continue;
    }
    const { id, name } = entry.receivedFrom;
    let group = byPeer.get(id);
    if (!group) {
      const peer = peerById.get(id);
      group = {
        peerId: id,
        name: peer?.name ?? name,
        state: peer?.state ?? "unknown",
        conversations: [],
      };
      byPeer.set(id, group);
    }
    group.conversations.push(entry);
  }
  local.sort(newestFirst);
  const received = [...byPeer.values()];
  for (const group of received) group.conversations.sort(newestFirst);
  received.sort((a, b) => a.name.localeCompare(b.name));
  return { local, received };
}
