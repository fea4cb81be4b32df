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

/** A run of the list under a heading: Today, Yesterday, Previous 7 days, then one per month. */
export type DateGroup = { label: string; entries: ConversationEntry[] };

const DAY_MS = 86_400_000;
const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];
const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

/** Whole calendar days (in the page's time zone) from `then` to `now`; 0 today, negative ahead. */
function daysBefore(then: Date, now: Date): number {
  const midnight = (d: Date) => new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
  return Math.round((midnight(now) - midnight(then)) / DAY_MS);
}

function dateLabel(then: Date, now: Date): string {
  const days = daysBefore(then, now);
  if (days <= 0) return "Today"; // a peer's clock ahead of ours counts as today
  if (days === 1) return "Yesterday";
  if (days <= 7) return "Previous 7 days";
  return `${MONTHS[then.getMonth()]} ${then.getFullYear()}`;
}

/**
 * Splits entries (newest first, as groupConversations sorts them) into date groups by last
 * activity, in the order they appear.
 */
export function groupByDate(entries: readonly ConversationEntry[], now: Date): DateGroup[] {
  const groups: DateGroup[] = [];
  for (const entry of entries) {
    const then = new Date(entry.updatedAt);
    const label = Number.isNaN(then.getTime()) ? "Earlier" : dateLabel(then, now);
    const last = groups.at(-1);
    if (last?.label === label) last.entries.push(entry);
    else groups.push({ label, entries: [entry] });
  }
  return groups;
}

const two = (n: number) => String(n).padStart(2, "0");

/** The time shown beside a conversation: "14:05" within two days, "Mon 14:05" this week, "12 Mar". */
export function listTime(iso: string, now: Date): string {
  const then = new Date(iso);
  if (Number.isNaN(then.getTime())) return "";
  const clock = `${two(then.getHours())}:${two(then.getMinutes())}`;
  const days = daysBefore(then, now);
  if (days <= 1) return clock;
  if (days <= 7) return `${WEEKDAYS[then.getDay()]} ${clock}`;
  const date = `${then.getDate()} ${MONTHS[then.getMonth()].slice(0, 3)}`;
  return then.getFullYear() === now.getFullYear() ? date : `${date} ${then.getFullYear()}`;
}
