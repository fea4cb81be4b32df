import assert from "node:assert/strict";
import { createStatusModel } from "./status.ts";
import { fakeApi } from "../api/testing/fake_api.ts";
import { nodeStatus, peerStatus } from "../api/testing/fixtures.ts";

Deno.test("loadStatus() takes this node and its peers from /api/status, noting when", async () => {
  let time = 1_000;
  const self = nodeStatus({ name: "Alpha" });
  const peers = [peerStatus({ id: "b" })];
  const api = fakeApi({ status: () => Promise.resolve({ node: self, peers }) });
  const model = createStatusModel({ api, now: () => time });
  assert.equal(model.node.value, null);
  assert.equal(model.nodeReceivedAt.value, 1_000);
  time = 5_000;
  await model.loadStatus();
  assert.equal(model.node.value, self);
  assert.deepEqual(model.peers.value, peers);
  assert.equal(model.nodeReceivedAt.value, 5_000);
});

Deno.test("loadStatus() leaves the state as it was when the node cannot answer", async () => {
  const api = fakeApi({ status: () => Promise.reject(new Error("down")) });
  const model = createStatusModel({ api });
  await assert.rejects(model.loadStatus(), /down/);
  assert.equal(model.node.value, null);
  assert.deepEqual(model.peers.value, []);
});

Deno.test("sortedPeers lists online peers first, each part by name", () => {
  const model = createStatusModel({ api: fakeApi({}) });
  model.applyPeers([
    peerStatus({ id: "1", name: "delta", state: "lost" }),
    peerStatus({ id: "2", name: "charlie", state: "up" }),
    peerStatus({ id: "3", name: "alpha", state: "backoff" }),
    peerStatus({ id: "4", name: "bravo", state: "up" }),
  ]);
  assert.deepEqual(model.sortedPeers.value.map((peer) => peer.name), [
    "bravo",
    "charlie",
    "alpha",
    "delta",
  ]);
  assert.equal(model.onlinePeerCount.value, 2);
});

Deno.test("applyPeers() replaces the list and the counts follow", () => {
  const model = createStatusModel({ api: fakeApi({}) });
  model.applyPeers([peerStatus({ id: "1", state: "up" })]);
  assert.equal(model.onlinePeerCount.value, 1);
  model.applyPeers([peerStatus({ id: "1", state: "lost" })]);
  assert.equal(model.onlinePeerCount.value, 0);
  assert.equal(model.sortedPeers.value.length, 1);
});
