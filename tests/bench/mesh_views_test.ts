import assert from "node:assert/strict";
import { firstTimeSeeing, fullMeshAt, isFullMesh, linkedPairs, seesAll } from "./mesh_views.ts";

const up = (id: string) => ({ id, state: "up" });

Deno.test("seesAll() checks presence, and state when asked", () => {
  const peers = [up("a"), { id: "b", state: "discovered" }];
  assert.equal(seesAll(peers, ["a", "b"]), true);
  assert.equal(seesAll(peers, ["a", "b"], ["up"]), false);
  assert.equal(seesAll(peers, ["c"]), false);
});

Deno.test("isFullMesh() needs every pair up, exactly once", () => {
  const full = [
    { node: { id: "a" }, peers: [up("b"), up("c")] },
    { node: { id: "b" }, peers: [up("a"), up("c")] },
    { node: { id: "c" }, peers: [up("a"), up("b")] },
  ];
  assert.equal(isFullMesh(full), true);
  const missing = [...full.slice(0, 2), { node: { id: "c" }, peers: [up("a")] }];
  assert.equal(isFullMesh(missing), false);
  const duplicate = [...full.slice(0, 2), {
    node: { id: "c" },
    peers: [up("a"), up("b"), up("b")],
  }];
  assert.equal(isFullMesh(duplicate), false);
});

Deno.test("firstTimeSeeing() finds the first table meeting the condition", () => {
  const history = [
    { atMs: 1, peers: [] },
    { atMs: 2, peers: [{ id: "n", state: "connecting" }] },
    { atMs: 3, peers: [up("n")] },
  ];
  assert.equal(firstTimeSeeing(history, ["n"]), 2);
  assert.equal(firstTimeSeeing(history, ["n"], ["up"]), 3);
  assert.equal(firstTimeSeeing(history, ["x"]), null);
});

Deno.test("fullMeshAt() is the arrival of the last table that completed the mesh", () => {
  const a = { id: "a", tables: [{ atMs: 5, peers: [up("b")] }] };
  const b = {
    id: "b",
    tables: [{ atMs: 3, peers: [{ id: "a", state: "connecting" }] }, { atMs: 9, peers: [up("a")] }],
  };
  assert.equal(fullMeshAt([a, b]), 9);
  assert.equal(fullMeshAt([a, { ...b, tables: b.tables.slice(0, 1) }]), null);
  assert.equal(fullMeshAt([a, { id: "b", tables: [] }]), null);
  assert.equal(fullMeshAt([]), null);
});

Deno.test("linkedPairs() counts pairs where both ends list the other up", () => {
  const at = (peers: { id: string; state: string }[]) => [{ atMs: 1, peers }];
  const histories = [
    { id: "a", tables: at([up("b"), up("c")]) },
    { id: "b", tables: at([up("a"), { id: "c", state: "connecting" }]) },
    { id: "c", tables: at([up("b")]) },
  ];
  assert.equal(linkedPairs(histories), 1); // a–b only: c lists a not at all, b lists c not up
});
