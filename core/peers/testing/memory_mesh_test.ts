import assert from "node:assert/strict";
import { MemoryMesh } from "./memory_mesh.ts";

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

Deno.test("MemoryMesh delivers through the codec, in order, only over links", async () => {
  const mesh = new MemoryMesh();
  const [a, b, c] = ["A", "B", "C"].map((id) => mesh.node(id));
  const got: string[] = [];
  for (const bus of [b, c]) {
    bus.on("NOOP:", (from, payload) => got.push(`${from.id}>${bus.self.id}:${payload.pad}`));
  }
  const ups: string[] = [];
  a.onLinkUp((peer) => ups.push(peer.id));
  mesh.link("A", "B");
  assert.deepEqual(ups, ["B"]);
  assert.equal(a.send("B", "NOOP:", { pad: "1" }), true);
  assert.equal(a.send("C", "NOOP:", { pad: "lost" }), false);
  a.broadcast("NOOP:", { pad: "2" });
  mesh.linkAll();
  a.broadcast("NOOP:", { pad: "3" }, "B");
  await tick();
  assert.deepEqual(got, ["A>B:1", "A>B:2", "A>C:3"]);
  assert.deepEqual(a.linkedPeers().map((p) => p.id), ["B", "C"]);
});

Deno.test("MemoryMesh.unlink() reports down on both ends and drops what was in flight", async () => {
  const mesh = new MemoryMesh();
  const [a, b] = [mesh.node("A"), mesh.node("B")];
  mesh.link("A", "B");
  const downs: string[] = [];
  a.onLinkDown((peer) => downs.push(`A lost ${peer.id}`));
  b.onLinkDown((peer) => downs.push(`B lost ${peer.id}`));
  const got: string[] = [];
  b.on("NOOP:", (_from, payload) => got.push(payload.pad ?? ""));
  a.send("B", "NOOP:", { pad: "in flight" });
  mesh.unlink("A", "B");
  await tick();
  assert.deepEqual(downs, ["A lost B", "B lost A"]);
  assert.deepEqual(got, []);
  assert.deepEqual(a.linkedPeers(), []);
});
