import assert from "node:assert/strict";
import { peerStatus as peer, summary } from "../api/testing/fixtures.ts";
import {
  entriesFromList,
  entryFromSummary,
  groupByDate,
  groupConversations,
  listTime,
} from "./conversation_groups.ts";

Deno.test("entriesFromList() marks received conversations with their peer", () => {
  const entries = entriesFromList({
    local: [summary({ id: "a" })],
    received: [{
      peer: { id: "p1", name: "Laptop" },
      conversations: [summary({ id: "b", readOnly: true })],
    }],
  });
  assert.deepEqual(entries.map((e) => [e.id, e.receivedFrom?.name ?? null]), [["a", null], [
    "b",
    "Laptop",
  ]]);
});

Deno.test("entryFromSummary() files a new read-only conversation from another node under that node", () => {
  const entry = entryFromSummary(
    summary({ originNode: "p1", originName: "Laptop", readOnly: true }),
    "self",
    undefined,
  );
  assert.deepEqual(entry.receivedFrom, { id: "p1", name: "Laptop" });
  const own = entryFromSummary(summary({ originNode: "self" }), "self", undefined);
  assert.equal(own.receivedFrom, null);
});

Deno.test("entryFromSummary() keeps the place of a conversation it already knows", () => {
  const existing = { ...summary({ id: "x" }), receivedFrom: { id: "p9", name: "Old" } };
  const entry = entryFromSummary(summary({ id: "x", title: "New title" }), "self", existing);
  assert.equal(entry.title, "New title");
  assert.deepEqual(entry.receivedFrom, { id: "p9", name: "Old" });
});

Deno.test("groupConversations() sorts newest first, groups by peer with live peer state", () => {
  const entries = [
    { ...summary({ id: "old", updatedAt: "2025-01-01T00:00:00Z" }), receivedFrom: null },
    { ...summary({ id: "new", updatedAt: "2025-02-01T00:00:00Z" }), receivedFrom: null },
    { ...summary({ id: "r1" }), receivedFrom: { id: "p1", name: "stale name" } },
    { ...summary({ id: "r2" }), receivedFrom: { id: "p2", name: "Gone" } },
  ];
  const groups = groupConversations(entries, "", [
    peer({ id: "p1", name: "Laptop", state: "lost" }),
  ]);
  assert.deepEqual(groups.local.map((e) => e.id), ["new", "old"]);
  assert.deepEqual(groups.received.map((g) => [g.name, g.state]), [["Gone", "unknown"], [
    "Laptop",
    "lost",
  ]]);
});

Deno.test("groupConversations() filters by every search word in title, preview or origin", () => {
  const entries = [
    {
      ...summary({ id: "a", title: "Rust lifetimes", preview: "borrow checker" }),
      receivedFrom: null,
    },
    { ...summary({ id: "b", title: "Cooking", preview: "pasta" }), receivedFrom: null },
  ];
  assert.deepEqual(groupConversations(entries, "rust borrow", []).local.map((e) => e.id), ["a"]);
  assert.deepEqual(groupConversations(entries, "  ", []).local.length, 2);
  assert.deepEqual(groupConversations(entries, "python", []).local.length, 0);
});

Deno.test("groupByDate() heads the list Today, Yesterday, Previous 7 days, then by month", () => {
  const now = new Date(2026, 2, 20, 9, 30); // 20 March 2026, local time
  const at = (year: number, month: number, day: number, hour: number) =>
    summary({
      id: `${year}-${month}-${day}-${hour}`,
      updatedAt: new Date(year, month, day, hour).toISOString(),
    });
  const entries = [
    at(2026, 2, 21, 8), // a peer's clock ahead: today
    at(2026, 2, 20, 0),
    at(2026, 2, 19, 23),
    at(2026, 2, 18, 10),
    at(2026, 2, 13, 10),
    at(2026, 2, 12, 10),
    at(2026, 1, 2, 10),
    at(2025, 11, 31, 10),
  ].map((s) => ({ ...s, receivedFrom: null }));
  const groups = groupByDate(entries, now);
  assert.deepEqual(groups.map((g) => [g.label, g.entries.length]), [
    ["Today", 2],
    ["Yesterday", 1],
    ["Previous 7 days", 2],
    ["March 2026", 1],
    ["February 2026", 1],
    ["December 2025", 1],
  ]);
});

Deno.test("listTime() gives the clock time lately, the weekday this week, then the date", () => {
  const now = new Date(2026, 2, 20, 9, 30); // a Friday
  assert.equal(listTime(new Date(2026, 2, 20, 7, 5).toISOString(), now), "07:05");
  assert.equal(listTime(new Date(2026, 2, 19, 22, 40).toISOString(), now), "22:40");
  assert.equal(listTime(new Date(2026, 2, 16, 14, 0).toISOString(), now), "Mon 14:00");
  assert.equal(listTime(new Date(2026, 0, 3, 14, 0).toISOString(), now), "3 Jan");
  assert.equal(listTime(new Date(2025, 10, 3, 14, 0).toISOString(), now), "3 Nov 2025");
  assert.equal(listTime("not a time", now), "");
});
