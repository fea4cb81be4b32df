import assert from "node:assert/strict";
import { peerStatus as peer, summary } from "../api/testing/fixtures.ts";
import { entriesFromList, entryFromSummary, groupConversations } from "./conversation_groups.ts";

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
