import assert from "node:assert/strict";
import { nodeStatus, peerStatus } from "../api/testing/fixtures.ts";
import { layoutMesh, loadShare, modelLabel, ringArc, servingNodes } from "./mesh_layout.ts";

const distance = (a: { x: number; y: number }, b: { x: number; y: number }) =>
  Math.hypot(a.x - b.x, a.y - b.y);

Deno.test("layoutMesh() puts this node in the middle and its peers on a ring around it", () => {
  const graph = layoutMesh({
    self: nodeStatus({ id: "me", name: "Desk" }),
    peers: [
      peerStatus({ id: "c", name: "Cellar" }),
      peerStatus({ id: "a", name: "Attic" }),
      peerStatus({ id: "b", name: "Bedroom" }),
    ],
    width: 400,
    height: 300,
  });
  const [self, ...peers] = graph.nodes;
  assert.deepEqual([self.x, self.y, self.state], [200, 150, "self"]);
  assert.deepEqual(peers.map((p) => p.name), ["Attic", "Bedroom", "Cellar"], "by name");
  const { rx, ry } = graph.ring;
  assert.ok(rx >= ry, "the ring uses the picture's width");
  for (const p of peers) {
    const onRing = ((p.x - 200) / rx) ** 2 + ((p.y - 150) / ry) ** 2;
    assert.ok(Math.abs(onRing - 1) < 0.01, `${p.name} is on the ring (${onRing})`);
  }
  assert.equal(peers[0].x, 200, "the first peer sits straight above");
  assert.ok(peers[0].y < 150);
  for (const p of graph.nodes) {
    assert.ok(p.x - p.r >= 0 && p.x + p.r <= 400 && p.y - p.r >= 0 && p.y + p.r <= 300, p.name);
  }
  assert.deepEqual(graph.edges.map((e) => e.id), ["a", "b", "c"]);
  assert.deepEqual([graph.edges[0].x1, graph.edges[0].y1], [200, 150]);
});

Deno.test("layoutMesh() puts two peers left and right of this node", () => {
  const graph = layoutMesh({
    self: nodeStatus(),
    peers: [peerStatus({ id: "a", name: "A" }), peerStatus({ id: "b", name: "B" })],
  });
  const [self, a, b] = graph.nodes;
  assert.deepEqual([a.y, b.y], [self.y, self.y]);
  assert.ok(a.x < self.x && b.x > self.x);
  assert.ok(a.x - a.r >= 0 && b.x + b.r <= graph.width, "within the picture");
  assert.equal(self.x - a.x, b.x - self.x, "symmetric");
});

Deno.test("layoutMesh() keeps a peer's place when it goes offline, and greys it", () => {
  const peers = [peerStatus({ id: "a", name: "A" }), peerStatus({ id: "b", name: "B" })];
  const before = layoutMesh({ self: nodeStatus(), peers });
  const after = layoutMesh({
    self: nodeStatus(),
    peers: [peers[0], { ...peers[1], state: "lost" }],
  });
  assert.deepEqual([after.nodes[2].x, after.nodes[2].y], [before.nodes[2].x, before.nodes[2].y]);
  assert.equal(after.nodes[2].state, "lost");
  assert.equal(after.edges[1].state, "lost");
  assert.equal(after.edges[1].label, null, "no latency on a dead link");
  assert.match(after.nodes[2].description, /^B: offline/);
});

Deno.test("layoutMesh() names hosts' models, latency, load and the serving host", () => {
  const graph = layoutMesh({
    self: nodeStatus({ id: "me", hasLlm: false, models: [] }),
    peers: [
      peerStatus({
        id: "h",
        name: "GPU box",
        models: ["llama3.2", "qwen2.5:7b"],
        rttMs: 3.6,
        load: { inFlight: 1, capacity: 2, queued: 0 },
      }),
      peerStatus({ id: "r", name: "Retrying", state: "backoff", hasLlm: false }),
    ],
    serving: new Set(["r"]),
  });
  const host = graph.nodes.find((n) => n.id === "h")!;
  assert.equal(host.modelLabel, "llama3.2 +1");
  assert.equal(host.loadShare, 0.5);
  assert.equal(host.serving, true);
  assert.equal(
    host.description,
    "GPU box: online, runs llama3.2, qwen2.5:7b, 1 of 2 busy, 4 ms away, writing an answer",
  );
  assert.equal(graph.edges.find((e) => e.id === "h")!.label, "4 ms");
  assert.equal(graph.nodes.find((n) => n.id === "r")!.state, "reconnecting");
  assert.equal(graph.nodes.find((n) => n.id === "r")!.serving, true, "the answer waited for");
  assert.equal(graph.nodes[0].serving, false, "no busy slot, no answer waited for");
  assert.equal(graph.nodes[0].modelLabel, "");
  assert.match(graph.nodes[0].description, /this device, runs no models/);
});

Deno.test("layoutMesh() shrinks discs as the ring fills so neighbours never overlap", () => {
  const peers = Array.from({ length: 40 }, (_, i) => peerStatus({ id: `p${i}`, name: `n${i}` }));
  const graph = layoutMesh({ self: nodeStatus(), peers, width: 480, height: 360 });
  const ring = graph.nodes.slice(1);
  for (let i = 0; i < ring.length; i++) {
    const next = ring[(i + 1) % ring.length];
    assert.ok(distance(ring[i], next) >= ring[i].r + next.r, `${i} overlaps ${i + 1}`);
  }
});

Deno.test("layoutMesh() without this node's status still places the peers", () => {
  const graph = layoutMesh({ self: null, peers: [peerStatus()] });
  assert.equal(graph.nodes.length, 1);
  assert.equal(graph.edges.length, 1);
});

Deno.test("ringArc() draws the load share clockwise from the top", () => {
  assert.equal(ringArc(10, 10, 5, 0), "");
  assert.equal(ringArc(10, 10, 5, 0.25), "M 10 5 A 5 5 0 0 1 15 10");
  assert.equal(ringArc(10, 10, 5, 0.75), "M 10 5 A 5 5 0 1 1 5 10");
  assert.match(ringArc(10, 10, 5, 1), /^M 10 5 A 5 5 0 1 1 10 15 A 5 5 0 1 1 10 5$/);
  assert.equal(ringArc(10, 10, 5, 7), ringArc(10, 10, 5, 1), "clamped");
});

Deno.test("modelLabel(), loadShare() and servingNodes() in short", () => {
  assert.equal(modelLabel([]), "");
  assert.equal(modelLabel(["a"]), "a");
  assert.equal(loadShare(null), null);
  assert.equal(loadShare({ inFlight: 3, capacity: 2, queued: 1 }), 1);
  assert.equal(loadShare({ inFlight: 0, capacity: 0, queued: 0 }), 0);
  const ids = servingNodes([
    { complete: true, hostInfo: { nodeId: "done" } },
    { complete: false, hostInfo: { nodeId: "writing" } },
    {},
  ]);
  assert.deepEqual([...ids], ["writing"]);
});
