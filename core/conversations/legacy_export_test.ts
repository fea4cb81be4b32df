import assert from "node:assert/strict";
import { ConversationStore } from "../store/store.ts";
import { encodeHlc } from "../time/hlc.ts";
import type { SyncRecord } from "../sync/records.ts";
import { exportConversations } from "./legacy_export.ts";
import { importConversations } from "./legacy_import.ts";
import type { ChatMessage, ConversationHeader } from "../model/conversation.ts";

const at = (ms: number, node = "SELF") => encodeHlc({ wallMs: ms, counter: 0, nodeId: node });

async function withDir(fn: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "neuromesh-export-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const host = (nodeId: string, nodeName: string) => ({ nodeId, nodeName, isLlmHost: false });

function header(
  id: string,
  origin: string,
  name: string,
  wall: number,
  title: string,
): ConversationHeader {
  return {
    id,
    title,
    originNode: origin,
    hostInfo: host(origin, name),
    createdAt: new Date(wall).toISOString(),
    shared: true,
    hlc: at(wall, origin),
  };
}

function message(
  id: string,
  conversationId: string,
  origin: string,
  wall: number,
  over: Partial<ChatMessage> = {},
): ChatMessage {
  return {
    id,
    conversationId,
    content: `content of ${id}\nwith "quotes" and ünïcödé`,
    timestamp: "2025-03-25T13:56:00.304707400Z",
    sender: origin,
    messageType: "Question",
    hostInfo: host(origin, origin.toLowerCase()),
    originNode: origin,
    hlc: at(wall, origin),
    createdHlc: at(wall, origin),
    complete: true,
    ...over,
  };
}

/** Two conversations of this node (one answered, with model and stats) and one of a peer. */
function seed(store: ConversationStore) {
  store.commitLocal([
    { type: "conversation", value: header("older", "SELF", "me", 1000, "Older talk") },
    { type: "message", value: message("q1", "older", "SELF", 1001) },
    { type: "conversation", value: header("newer", "SELF", "me", 5000, "Newer talk") },
    { type: "message", value: message("q2", "newer", "SELF", 5001) },
    {
      type: "message",
      value: message("r2", "newer", "SELF", 5002, {
        messageType: "Response",
        model: "llama3.2",
        hostInfo: {
          nodeId: "GPU",
          nodeName: "gpu-box",
          model: "llama3.2",
          isLlmHost: true,
          ipAddress: "10.0.0.3",
        },
        stats: { tokens: 12, durationMs: 300, tokensPerSec: 40 },
        failover: { nodeId: "OLD", nodeName: "old-box", model: "llama3.2" },
      }),
    },
  ]);
  store.applyRemote([
    {
      type: "conversation",
      origin: "PEER",
      seq: 1,
      value: header("theirs", "PEER", "peer box", 3000, "Their talk"),
    },
    { type: "message", origin: "PEER", seq: 2, value: message("p1", "theirs", "PEER", 3001) },
  ] as SyncRecord[]);
}

Deno.test("exportConversations() writes the original's layout: local.json is the newest, one file per conversation", async () => {
  await withDir(async (dir) => {
    const store = ConversationStore.openPath(":memory:", { nodeId: "SELF" });
    try {
      seed(store);
      const exported = await exportConversations(store, dir, { id: "SELF", name: "me" });
      assert.deepEqual([exported.local, exported.received, exported.messages], [2, 1, 4]);
      assert.deepEqual(exported.files.sort(), [
        "conversations/local.json",
        "conversations/newer.json",
        "conversations/older.json",
        "neuromesh.json",
        "received/peer_box/local.json",
        "received/peer_box/theirs.json",
      ]);
      const latest = JSON.parse(await Deno.readTextFile(`${dir}/conversations/local.json`));
      assert.equal(latest.id, "newer");
      assert.deepEqual(Object.keys(latest), ["id", "messages", "host_info"]);
      assert.deepEqual(Object.keys(latest.messages[0]), [
        "content",
        "timestamp",
        "sender",
        "message_type",
        "host_info",
      ]);
      assert.deepEqual(latest.messages[1].host_info, {
        hostname: "gpu-box",
        ip_address: "10.0.0.3",
        is_llm_host: true,
      });
      assert.equal(latest.messages[0].timestamp, "2025-03-25T13:56:00.304707400Z");
    } finally {
      store.close();
    }
  });
});

Deno.test("export then import: this node's conversations come back exactly; a peer's that is here already adds nothing", async () => {
  await withDir(async (dir) => {
    const source = ConversationStore.openPath(":memory:", { nodeId: "SELF" });
    const target = ConversationStore.openPath(":memory:", { nodeId: "SELF" });
    try {
      seed(source);
      await exportConversations(source, dir, { id: "SELF", name: "me" });

      // Into the node it came from: nothing new.
      const home = await importConversations(source, dir);
      assert.deepEqual([home.conversations, home.messages], [0, 0]);
      assert.deepEqual(
        home.outcomes.map((o) => o.kind === "skipped" ? o.reason : o.kind),
        [
          "own",
          "own",
          "a copy of conversations/newer.json",
          "already here as conversation theirs",
          "a copy of received/peer_box/theirs.json",
        ],
      );

      // Into an empty store of the same node: its own conversations exactly as they were.
      const first = await importConversations(target, dir);
      assert.deepEqual([first.files, first.conversations, first.messages], [5, 3, 4]);
      const [a, b] = [source.snapshot(), target.snapshot()];
      for (const id of ["older", "newer"]) assert.deepEqual(b.headers.get(id), a.headers.get(id));
      for (const id of ["q1", "q2", "r2"]) {
        assert.deepEqual(b.messages.get(id), a.messages.get(id));
      }
      // The peer's (which only the peer may write) as this node's copy, received from "peer box".
      const copy = [...b.headers.values()].find((h) => h.importedFrom)!;
      assert.equal(copy.originNode, "SELF");
      assert.equal(copy.title, "Their talk");
      assert.deepEqual(copy.importedFrom, {
        file: "received/peer_box/theirs.json",
        id: "theirs",
        device: { name: "peer box" },
      });
      assert.deepEqual(target.messages(copy.id).map((m) => [m.content, m.timestamp]), [
        [a.messages.get("p1")!.content, a.messages.get("p1")!.timestamp],
      ]);

      const again = await importConversations(target, dir);
      assert.deepEqual([again.conversations, again.messages], [0, 0]);
      assert.deepEqual(target.counts(), { conversations: 3, messages: 4, tombstones: 0 });
    } finally {
      source.close();
      target.close();
    }
  });
});
