import assert from "node:assert/strict";
import { authorityProblem, newConversationId, ownerInId } from "./authority.ts";
import type { SyncRecord } from "./records.ts";

const A = "A".repeat(32);
const E = "E".repeat(32);
const HLC = "0001700000000000-0000-A";
const host = (nodeId: string) => ({ nodeId, nodeName: "n", isLlmHost: false });

const headerBy = (origin: string, owner: string, id: string): SyncRecord => ({
  type: "conversation",
  origin,
  seq: 1,
  value: {
    id,
    title: "t",
    originNode: owner,
    hostInfo: host(owner),
    createdAt: "2026-01-01T00:00:00Z",
    shared: true,
    hlc: HLC,
  },
});
const messageBy = (origin: string, owner: string, conversationId: string): SyncRecord => ({
  type: "message",
  origin,
  seq: 2,
  value: {
    id: "m1",
    conversationId,
    content: "hi",
    timestamp: "2026-01-01T00:00:00Z",
    sender: "n",
    messageType: "Question",
    hostInfo: host(owner),
    originNode: owner,
    hlc: HLC,
    createdHlc: HLC,
    complete: true,
  },
});
const tombstoneBy = (origin: string, deletedBy: string, conversationId: string): SyncRecord => ({
  type: "tombstone",
  origin,
  seq: 3,
  value: { conversationId, hlc: HLC, deletedBy },
});

Deno.test("new conversation ids name their owner; other ids name nobody", () => {
  const id = newConversationId(A);
  assert.equal(ownerInId(id), A);
  assert.equal(ownerInId(crypto.randomUUID()), undefined);
  assert.equal(ownerInId("local"), undefined);
  assert.equal(ownerInId(`${"a".repeat(32)}-x`), undefined, "not a node id");
  assert.equal(ownerInId(`${A}x-y`), undefined);
  assert.equal(ownerInId(`${A}-`), undefined);
  assert.equal(ownerInId(`${A}.x`), undefined);
});

Deno.test("authorityProblem(): only a conversation's owner writes it", () => {
  const ownId = newConversationId(A);
  const oldId = crypto.randomUUID();
  const cases: [string, SyncRecord, string | undefined, RegExp | null][] = [
    ["owner's header", headerBy(A, A, ownId), undefined, null],
    ["owner's message", messageBy(A, A, ownId), A, null],
    ["owner's tombstone", tombstoneBy(A, A, ownId), A, null],
    ["old id, owner known from header", messageBy(A, A, oldId), A, null],
    ["old id, owner not known yet", headerBy(E, E, oldId), undefined, null],
    ["header naming another owner", headerBy(E, A, ownId), undefined, /naming .* signed by/],
    [
      "takeover: header with itself as owner",
      headerBy(E, E, ownId),
      undefined,
      /A+'s conversation/,
    ],
    ["takeover of an old id", headerBy(E, E, oldId), A, /A+'s conversation/],
    ["edit of another's message", messageBy(E, E, ownId), A, /A+'s conversation/],
    ["message naming another writer", messageBy(E, A, ownId), A, /naming/],
    ["tombstone naming the owner", tombstoneBy(E, A, ownId), A, /naming/],
    ["tombstone naming itself", tombstoneBy(E, E, ownId), undefined, /A+'s conversation/],
    ["tombstone of an old id", tombstoneBy(E, E, oldId), A, /A+'s conversation/],
  ];
  for (const [name, record, heldOwner, expected] of cases) {
    const problem = authorityProblem(record, heldOwner);
    if (expected === null) assert.equal(problem, null, name);
    else assert.match(problem ?? "", expected, name);
  }
});
