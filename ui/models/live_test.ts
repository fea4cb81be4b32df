import assert from "node:assert/strict";
import type { ChatMessage, ConversationSummary, NodeStatus, PeerStatus } from "../api/types.ts";
import { createLiveModel } from "./live.ts";
import { fakeEvents } from "../api/testing/fake_api.ts";
import { meshModel, message, nodeStatus, peerStatus, summary } from "../api/testing/fixtures.ts";

/** Doubles of the other models that log what the live link asked of them. */
function setup() {
  const log: string[] = [];
  const applied: unknown[] = [];
  const retries: { retry: () => void; ms: number }[] = [];
  const warnings: string[] = [];
  const { streams, events } = fakeEvents();
  const loaded = (name: string) => () => {
    log.push(name);
    return Promise.resolve();
  };
  const live = createLiveModel({
    api: { events },
    status: {
      loadStatus: loaded("status"),
      applyNode: (node: NodeStatus) => applied.push(["node", node.name]),
      applyPeers: (peers: PeerStatus[]) => applied.push(["peers", peers.length]),
    },
    meshModels: {
      loadModels: loaded("models"),
      applyModels: (models) => applied.push(["models", models.map((m) => m.name)]),
    },
    settings: { loadSettings: loaded("settings") },
    trust: {
      loadTrust: loaded("trust"),
      followSecurity: (node: NodeStatus) => applied.push(["security", node.name]),
    },
    conversations: {
      loadConversations: loaded("conversations"),
      refreshCurrent: loaded("current"),
      clearUnreachableNotice: () => log.push("clear notice"),
      applySummary: (s: ConversationSummary) => applied.push(["summary", s.id]),
      applyDeleted: (id: string) => applied.push(["deleted", id]),
      applyMessage: (id: string, m: ChatMessage) => applied.push(["message", id, m.id]),
    },
    later: (retry, ms) => retries.push({ retry, ms }),
    warn: (text) => warnings.push(text),
  });
  return { live, log, applied, retries, warnings, streams };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

Deno.test("start() reads every snapshot, conversations last, and opens the event stream", async () => {
  const { live, log, streams } = setup();
  live.start();
  await settle();
  assert.deepEqual(log, ["status", "models", "settings", "trust", "conversations", "current"]);
  assert.equal(streams.length, 1);
  assert.deepEqual([...streams[0].types].sort(), [
    "conversation",
    "conversation-deleted",
    "message",
    "models",
    "node",
    "peers",
  ]);
  assert.equal(live.connection.value, "connecting");
});

Deno.test("each event reaches the model it belongs to", () => {
  const { live, applied, streams } = setup();
  live.start();
  const stream = streams[0];
  stream.emit("conversation", summary({ id: "c1" }));
  stream.emit("conversation-deleted", { id: "c2" });
  stream.emit("message", { conversationId: "c1", message: message({ id: "m1" }) });
  stream.emit("peers", [peerStatus()]);
  stream.emit("models", { models: [meshModel("llama")] });
  stream.emit("node", nodeStatus({ name: "Alpha" }));
  assert.deepEqual(applied, [
    ["summary", "c1"],
    ["deleted", "c2"],
    ["message", "c1", "m1"],
    ["peers", 1],
    ["models", ["llama"]],
    ["node", "Alpha"],
    ["security", "Alpha"],
  ]);
});

Deno.test("a malformed event is reported and ignored", () => {
  const { live, applied, streams, warnings } = setup();
  live.start();
  streams[0].emit("peers", "{not json");
  streams[0].emit("models", { nope: 1 });
  assert.deepEqual(applied, []);
  assert.deepEqual(warnings, [
    'ignoring malformed "peers" event',
    'ignoring malformed "models" event',
  ]);
});

Deno.test("the link going down says reconnecting; back up it reads everything again", async () => {
  const { live, log, streams } = setup();
  live.start();
  await settle();
  log.length = 0;
  streams[0].handlers.error(false);
  assert.equal(live.connection.value, "reconnecting");
  assert.equal(streams[0].closed, false);
  streams[0].handlers.open();
  await settle();
  assert.equal(live.connection.value, "online");
  assert.deepEqual(log, [
    "clear notice",
    "status",
    "models",
    "settings",
    "trust",
    "conversations",
    "current",
  ]);
});

Deno.test("a stream the node closed is reopened after 2 s", () => {
  const { live, retries, streams } = setup();
  live.start();
  streams[0].handlers.error(true);
  assert.equal(streams[0].closed, true);
  assert.equal(streams.length, 1);
  assert.deepEqual(retries.map((r) => r.ms), [2000]);
  retries[0].retry();
  assert.equal(streams.length, 2);
});
