import assert from "node:assert/strict";
import { activePath, branching, shownBranch, START, versionsOf } from "./branches.ts";

const m = (...ids: string[]) => ids.map((id) => ({ id }));
const ids = (list: { id: string }[]) => list.map((x) => x.id);

Deno.test("shownBranch() of a conversation without links is every message in order", () => {
  const { path, versions } = shownBranch(m("q1", "a1", "q2", "a2"), { parents: {}, selected: {} });
  assert.deepEqual(ids(path), ["q1", "a1", "q2", "a2"]);
  assert.deepEqual(versions, {});
});

Deno.test("a regenerated answer is a version of the first; the newest is shown unless selected", () => {
  const messages = m("q1", "a1", "a1b");
  const parents = { a1b: "q1" };
  const newest = shownBranch(messages, { parents, selected: {} });
  assert.deepEqual(ids(newest.path), ["q1", "a1b"]);
  assert.deepEqual(newest.versions, { a1b: ["a1", "a1b"] });
  const first = shownBranch(messages, { parents, selected: { q1: "a1" } });
  assert.deepEqual(ids(first.path), ["q1", "a1"]);
  assert.deepEqual(first.versions, { a1: ["a1", "a1b"] });
});

Deno.test("an edited question starts a branch; switching back shows the old branch whole", () => {
  // q1 a1 q2 a2, then q2 edited into q2b (answered a2b), then q3 asked on the q2b branch.
  const messages = m("q1", "a1", "q2", "a2", "q2b", "a2b", "q3", "a3");
  const parents = { q2b: "a1" };
  assert.deepEqual(ids(shownBranch(messages, { parents, selected: {} }).path), [
    "q1",
    "a1",
    "q2b",
    "a2b",
    "q3",
    "a3",
  ]);
  assert.deepEqual(ids(shownBranch(messages, { parents, selected: { a1: "q2" } }).path), [
    "q1",
    "a1",
    "q2",
    "a2",
  ]);
});

Deno.test("editing the first question makes versions at the start", () => {
  const tree = branching(m("q1", "a1", "q1b", "a1b"), { q1b: START });
  assert.deepEqual(versionsOf(tree, "q1"), ["q1", "q1b"]);
  assert.deepEqual(ids(activePath(tree, { [START]: "q1" })), ["q1", "a1"]);
});

Deno.test("a link to an unknown or later message counts as absent, so the tree never loops", () => {
  const messages = m("q1", "a1", "q2");
  const tree = branching(messages, { q1: "q2", a1: "nope", q2: "q2" });
  assert.deepEqual(ids(activePath(tree, {})), ["q1", "a1", "q2"]);
  // A selection naming a message that is not a child there is ignored.
  assert.deepEqual(ids(activePath(tree, { q1: "q2" })), ["q1", "a1", "q2"]);
});
