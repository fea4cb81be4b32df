import assert from "node:assert/strict";
import { ConversationStore } from "../store/store.ts";
import { encodeHlc } from "../sync/hlc.ts";
import type { SyncRecord } from "../sync/records.ts";
import {
  exportConversations,
  importConversations,
  legacyConversationRecords,
  stableId,
} from "./legacy_files.ts";
import type { ChatMessage, ConversationHeader } from "./model.ts";

/** Exactly what the original NeuroMesh (Rust, serde) writes to conversations/local.json. */
const ORIGINAL_FILE = `{
  "id": "8c5f0f5e-7a3b-4a43-9d84-1f2b1c0e9a11",
  "messages": [
    {
      "content": "What is the capital of France?",
      "timestamp": "2025-03-25T13:56:00.304707400Z",
      "sender": "alice",
      "message_type": "Question",
      "host_info": { "hostname": "alice-laptop", "ip_address": "192.168.1.20", "is_llm_host": false }
    },
    {
      "content": "Paris.",
      "timestamp": "2025-03-25T13:56:02.118000001Z",
      "sender": "gpu-box",
      "message_type": "Response",
      "host_info": { "hostname": "gpu-box", "ip_address": "192.168.1.30", "is_llm_host": true }
    }
  ],
  "host_info": { "hostname": "alice-laptop", "ip_address": "192.168.1.20", "is_llm_host": false }
}`;

const at = (ms: number, node = "SELF") => encodeHlc({ wallMs: ms, counter: 0, nodeId: node });

async function withDirs(fn: (a: string, b: string) => Promise<void>) {
  const a = await Deno.makeTempDir({ prefix: "neuromesh-export-" });
  const b = await Deno.makeTempDir({ prefix: "neuromesh-export-" });
  try {
    await fn(a, b);
  } finally {
    await Deno.remove(a, { recursive: true });
    await Deno.remove(b, { recursive: true });
  }
}

function seed(store: ConversationStore) {
  const host = (nodeId: string, nodeName: string) => ({ nodeId, nodeName, isLlmHost: false });
  const header = (
    id: string,
    origin: string,
    name: string,
    wall: number,
    title: string,
  ): ConversationHeader => ({
    id,
    title,
    originNode: origin,
    hostInfo: host(origin, name),
    createdAt: new Date(wall).toISOString(),
    shared: true,
    hlc: at(wall, origin),
  });
  const message = (
    id: string,
    conversationId: string,
    origin: string,
    wall: number,
    over: Partial<ChatMessage> = {},
  ): ChatMessage => ({
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
  });
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

Deno.test("export then import into an empty store gives identical conversations; twice adds nothing", async () => {
  await withDirs(async (exportDir) => {
    const source = ConversationStore.openPath(":memory:", { nodeId: "SELF" });
    const target = ConversationStore.openPath(":memory:", { nodeId: "SELF" });
    try {
      seed(source);
      const exported = await exportConversations(source, exportDir, { id: "SELF", name: "me" });
      assert.deepEqual([exported.local, exported.received, exported.messages], [2, 1, 4]);
      const files = exported.files.sort();
      assert.deepEqual(files, [
        "conversations/local.json",
        "conversations/newer.json",
        "conversations/older.json",
        "neuromesh.json",
        "received/peer_box/local.json",
        "received/peer_box/theirs.json",
      ]);
      // local.json holds the newest conversation, in the original's shape.
      const latest = JSON.parse(await Deno.readTextFile(`${exportDir}/conversations/local.json`));
      assert.equal(latest.id, "newer");
      assert.deepEqual(Object.keys(latest), ["id", "messages", "host_info"]);
      assert.deepEqual(Object.keys(latest.messages[0]), [
        "content",
        "timestamp",
        "sender",
        "message_type",
        "host_info",
      ]);
      assert.equal(latest.messages[0].timestamp, "2025-03-25T13:56:00.304707400Z");

      const first = await importConversations(target, exportDir);
      assert.deepEqual([first.files, first.conversations, first.messages, first.skipped], [
        5,
        3,
        4,
        [],
      ]);
      const a = source.snapshot();
      const b = target.snapshot();
      assert.deepEqual(b.headers, a.headers);
      assert.deepEqual(b.messages, a.messages);

      const again = await importConversations(target, exportDir);
      assert.deepEqual([again.conversations, again.messages], [0, 0]);
      assert.deepEqual(target.counts(), { conversations: 3, messages: 4, tombstones: 0 });
    } finally {
      source.close();
      target.close();
    }
  });
});

Deno.test("import reads the original's files (9-digit fractions) with stable ids", async () => {
  await withDirs(async (dir) => {
    await Deno.mkdir(`${dir}/conversations`, { recursive: true });
    await Deno.mkdir(`${dir}/received/192.168.1.40`, { recursive: true });
    await Deno.writeTextFile(`${dir}/conversations/local.json`, ORIGINAL_FILE);
    await Deno.writeTextFile(
      `${dir}/received/192.168.1.40/local.json`,
      ORIGINAL_FILE.replace("8c5f0f5e-7a3b-4a43-9d84-1f2b1c0e9a11", "from-peer"),
    );
    await Deno.writeTextFile(`${dir}/conversations/broken.json`, "{ not json");
    const store = ConversationStore.openPath(":memory:", { nodeId: "SELF" });
    try {
      const result = await importConversations(store, dir);
      assert.equal(result.files, 2);
      assert.equal(result.skipped.length, 1);
      assert.match(result.skipped[0].reason, /not readable JSON/);
      const header = store.header("8c5f0f5e-7a3b-4a43-9d84-1f2b1c0e9a11")!;
      assert.equal(header.originNode, "SELF");
      assert.equal(header.title, "What is the capital of France?");
      assert.equal(header.hostInfo.nodeName, "alice-laptop");
      const messages = store.messages(header.id);
      assert.deepEqual(messages.map((m) => [m.messageType, m.content, m.timestamp]), [
        ["Question", "What is the capital of France?", "2025-03-25T13:56:00.304707400Z"],
        ["Response", "Paris.", "2025-03-25T13:56:02.118000001Z"],
      ]);
      assert.equal(messages[1].hostInfo.isLlmHost, true);
      assert.equal(messages[1].hostInfo.ipAddress, "192.168.1.30");
      const received = store.header("from-peer")!;
      assert.equal(received.originNode, "legacy-192.168.1.40");
      assert.equal(
        (await importConversations(store, dir)).messages,
        0,
        "a second import adds nothing",
      );
    } finally {
      store.close();
    }
  });
});

Deno.test("legacyConversationRecords() keeps file order when a later message has an older clock", () => {
  const file = JSON.parse(ORIGINAL_FILE);
  file.messages[1].timestamp = "2025-03-25T13:55:59Z";
  const parsed = legacyConversationRecords(file, { originNode: "SELF", shared: true });
  assert.ok(parsed.ok);
  const [first, second] = parsed.records.filter((r) => r.type === "message").map((r) =>
    r.value as ChatMessage
  );
  assert.ok(first.createdHlc < second.createdHlc);
});

Deno.test("legacyConversationRecords() says what is wrong with a file of another shape", () => {
  const parsed = legacyConversationRecords({ id: "x", messages: [{ content: 1 }] }, {
    originNode: "A",
    shared: true,
  });
  assert.equal(parsed.ok, false);
  assert.match((parsed as { error: string }).error, /messages\.0\.content/);
});

Deno.test("stableId() is deterministic and UUID-shaped", () => {
  assert.equal(stableId(["a", "b"]), stableId(["a", "b"]));
  assert.notEqual(stableId(["a", "b"]), stableId(["ab"]));
  assert.match(stableId(["x"]), /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
});
