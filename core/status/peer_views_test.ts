import assert from "node:assert/strict";
import { buildPeerViews } from "./peer_views.ts";
import { discoveryEntry, linkStatus } from "./testing/peer_fixtures.ts";

const link = linkStatus;
const entry = discoveryEntry;

Deno.test("buildPeerViews() shows a linked peer as up with its RTT and LLM figures", () => {
  const [view] = buildPeerViews([link({})], [], () => ({
    models: ["llama3.2"],
    load: { inFlight: 1, capacity: 2, queued: 0 },
    tokensPerSec: 40,
    access: null,
  }));
  assert.equal(view.state, "up");
  assert.equal(view.rttMs, 1.5);
  assert.deepEqual(view.models, ["llama3.2"]);
  assert.equal(view.load?.inFlight, 1);
});

Deno.test("buildPeerViews() marks a peer whose link dropped as lost while it is redialed", () => {
  const [view] = buildPeerViews([link({ state: "backoff" })], [], () => null);
  assert.equal(view.state, "lost");
  assert.equal(view.rttMs, null);
});

Deno.test("buildPeerViews() shows a node only announced as discovered, and legacy nodes by address", () => {
  const views = buildPeerViews([], [
    entry({}),
    entry({ nodeId: "legacy:10.0.0.9", legacy: true, address: "10.0.0.9", name: "10.0.0.9" }),
  ], () => null);
  assert.deepEqual(views.map((v) => [v.state, v.legacy, v.shortId]), [
    ["discovered", true, "10.0.0.9"],
    ["discovered", false, "BBBBBBB-BBBBBBB"],
  ]);
});

Deno.test("buildPeerViews() lists a node once when it is both linked and announced", () => {
  const views = buildPeerViews([link({ id: "BBBBBBBBBBBBBBBB" })], [entry({})], () => null);
  assert.equal(views.length, 1);
  assert.equal(views[0].state, "up");
});
