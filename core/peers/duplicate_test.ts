import assert from "node:assert/strict";
import {
  arbitrate,
  type Arbitration,
  type ConnectionKey,
  preferredConnection,
} from "./duplicate.ts";

const byA = (nonce: string): ConnectionKey => ({ initiatorId: "A", initiatorNonce: nonce });
const byB = (nonce: string): ConnectionKey => ({ initiatorId: "B", initiatorNonce: nonce });

Deno.test("preferredConnection() keeps the connection dialed by the lower node id", () => {
  assert.equal(preferredConnection(byB("1"), byA("9"), "A"), "candidate");
  assert.equal(preferredConnection(byA("9"), byB("1"), "A"), "current");
});

Deno.test("preferredConnection() gives both nodes the same answer whichever came up first", () => {
  const [x, y] = [byA("5"), byB("3")];
  // Node A saw x first, node B saw y first: both must end with x.
  const atA = preferredConnection(x, y, "A") === "current" ? x : y;
  const atB = preferredConnection(y, x, "A") === "current" ? y : x;
  assert.equal(atA, x);
  assert.equal(atB, x);
});

Deno.test("preferredConnection() breaks a same-dialer tie by the lower nonce", () => {
  assert.equal(preferredConnection(byA("b"), byA("a"), "A"), "candidate");
  assert.equal(preferredConnection(byA("a"), byA("b"), "A"), "current");
});

Deno.test("preferredConnection() keeps the current link on a full tie", () => {
  assert.equal(preferredConnection(byA(""), byA(""), "A"), "current");
});

Deno.test("arbitrate() refuses our own id and a worse duplicate, replaces for a better one", () => {
  const base = { running: true, selfId: "B", remoteId: "A", current: null, candidate: byA("5") };
  const table: [string, Partial<Parameters<typeof arbitrate>[0]>, Arbitration][] = [
    ["first link to the node", {}, { kind: "accept" }],
    ["stopping", { running: false }, { kind: "refuse", reason: "node stopping" }],
    ["a link to ourselves", { remoteId: "B" }, { kind: "refuse", reason: "own node id" }],
    ["the lower id's dial beats ours", { current: byB("1") }, { kind: "replace" }],
    ["ours is already the preferred one", { current: byA("1") }, {
      kind: "refuse",
      reason: "duplicate link",
    }],
    ["a full tie keeps the current link", { current: byA("5") }, {
      kind: "refuse",
      reason: "duplicate link",
    }],
    ["same rule seen from the lower id", { selfId: "A", remoteId: "B", current: byB("1") }, {
      kind: "replace",
    }],
  ];
  for (const [name, facts, expected] of table) {
    assert.deepEqual(arbitrate({ ...base, ...facts }), expected, name);
  }
});
