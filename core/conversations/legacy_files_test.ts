import assert from "node:assert/strict";
import {
  importedConversationRecords,
  type LegacyConversation,
  parseLegacyConversation,
  stableId,
  toLegacyConversation,
} from "./legacy_files.ts";
import type { ChatMessage, ConversationHeader } from "../model/conversation.ts";
import { toConversation } from "./views.ts";

const ALICE = { hostname: "alice-laptop", ip_address: "192.168.1.20", is_llm_host: false };
const GPU = { hostname: "gpu-box", ip_address: "192.168.1.30", is_llm_host: true };

/** What the original NeuroMesh (Rust, serde) writes to conversations/local.json. */
const ORIGINAL: LegacyConversation = {
  id: "local",
  messages: [
    {
      content: "What is the capital of France?",
      timestamp: "2025-03-25T13:56:00.304707400Z",
      sender: "alice",
      message_type: "Question",
      host_info: ALICE,
    },
    {
      content: "Paris.",
      timestamp: "2025-03-25T13:56:02.118000001Z",
      sender: "gpu-box",
      message_type: "Response",
      host_info: GPU,
    },
  ],
  host_info: ALICE,
};

function split(records: ReturnType<typeof importedConversationRecords>["records"]) {
  return {
    header: records[0].value as ConversationHeader,
    messages: records.slice(1).map((r) => r.value as ChatMessage),
  };
}

Deno.test("importedConversationRecords() makes a file of conversations/ this node's own", () => {
  const { conversationId, records } = importedConversationRecords(ORIGINAL, {
    self: "SELF",
    file: "conversations/local.json",
  });
  const { header, messages } = split(records);
  assert.match(conversationId, /^SELF-[0-9a-f-]{36}$/, "the id names its owner");
  assert.equal(header.id, conversationId);
  assert.equal(header.originNode, "SELF");
  assert.equal(header.title, "What is the capital of France?");
  assert.deepEqual(header.importedFrom, { file: "conversations/local.json", id: "local" });
  assert.deepEqual(header.hostInfo, {
    nodeId: "SELF",
    nodeName: "alice-laptop",
    ipAddress: "192.168.1.20",
    isLlmHost: false,
  });
  assert.equal(header.createdAt, "2025-03-25T13:56:00.304707400Z");
  for (const message of messages) {
    assert.equal(message.originNode, "SELF");
    assert.ok(message.hlc.endsWith("-SELF"), "stamped by the owner");
  }
  assert.deepEqual(
    messages.map((m) => [m.sender, m.messageType, m.timestamp, m.hostInfo]),
    [
      ["alice", "Question", "2025-03-25T13:56:00.304707400Z", {
        nodeId: "SELF",
        nodeName: "alice-laptop",
        ipAddress: "192.168.1.20",
        isLlmHost: false,
      }],
      ["gpu-box", "Response", "2025-03-25T13:56:02.118000001Z", {
        nodeId: "legacy-gpu-box",
        nodeName: "gpu-box",
        ipAddress: "192.168.1.30",
        isLlmHost: true,
      }],
    ],
  );
  const shown = toConversation(header, messages, "SELF");
  assert.equal(shown.readOnly, false);
  assert.deepEqual(toLegacyConversation(shown, header.importedFrom?.id), ORIGINAL);
});

Deno.test("importedConversationRecords() files a received/ file as this node's, shown as received from its device", () => {
  const file = { ...ORIGINAL, host_info: { ...ALICE, ip_address: "" } };
  const { records } = importedConversationRecords(file, {
    self: "SELF",
    file: "received/192.168.1.20/local.json",
    receivedIn: "192.168.1.20",
  });
  const { header, messages } = split(records);
  assert.equal(header.originNode, "SELF", "owned by the importing node");
  assert.deepEqual(header.importedFrom, {
    file: "received/192.168.1.20/local.json",
    id: "local",
    // The file left the address empty: the folder the original named by it tells.
    device: { name: "alice-laptop", ipAddress: "192.168.1.20" },
  });
  const shown = toConversation(header, messages, "SELF");
  assert.equal(shown.readOnly, true);
  assert.equal(shown.originName, "alice-laptop");
  assert.equal(shown.originNode, "legacy-alice-laptop@192.168.1.20");
  assert.equal(messages[0].hostInfo.nodeId, shown.originNode, "the device's own messages");
  assert.deepEqual(toLegacyConversation(shown, header.importedFrom?.id), file);
});

Deno.test("importedConversationRecords() gives each file, node and host its own conversation id, stable", () => {
  const id = (self: string, file: string, legacy = ORIGINAL) =>
    importedConversationRecords(legacy, { self, file }).conversationId;
  const a = id("SELF", "conversations/local.json");
  assert.equal(id("SELF", "conversations/local.json"), a, "the same file: the same id");
  assert.notEqual(id("OTHER", "conversations/local.json"), a, "another importing node");
  assert.notEqual(id("SELF", "received/192.168.1.40/local.json"), a, "another file");
  const otherHost = { ...ORIGINAL, host_info: GPU };
  assert.notEqual(id("SELF", "conversations/local.json", otherHost), a, "another machine's");
  // A longer version of the same file keeps the ids of the messages it shares.
  const longer = { ...ORIGINAL, messages: [...ORIGINAL.messages, { ...ORIGINAL.messages[0] }] };
  const before = split(importedConversationRecords(ORIGINAL, { self: "S", file: "f" }).records);
  const after = split(importedConversationRecords(longer, { self: "S", file: "f" }).records);
  assert.equal(after.header.id, before.header.id);
  assert.deepEqual(after.messages.slice(0, 2), before.messages);
  assert.equal(new Set(after.messages.map((m) => m.id)).size, 3, "a repeated message is new");
});

Deno.test("importedConversationRecords() keeps file order when a later message has an older clock", () => {
  const file = structuredClone(ORIGINAL);
  file.messages[1].timestamp = "2025-03-25T13:55:59Z";
  const { messages } = split(importedConversationRecords(file, { self: "S", file: "f" }).records);
  assert.ok(messages[0].createdHlc < messages[1].createdHlc);
  assert.equal(messages[1].timestamp, "2025-03-25T13:55:59Z", "the timestamp itself is kept");
});

Deno.test("parseLegacyConversation() says what is wrong with a file of another shape", () => {
  const parsed = parseLegacyConversation({ id: "x", messages: [{ content: 1 }] });
  assert.equal(parsed.ok, false);
  assert.match((parsed as { error: string }).error, /^messages\.0\.content: /);
  const root = parseLegacyConversation([1, 2]);
  assert.match((root as { error: string }).error, /^\(root\): /);
});

Deno.test("stableId() is deterministic and UUID-shaped", () => {
  assert.equal(stableId(["a", "b"]), stableId(["a", "b"]));
  assert.notEqual(stableId(["a", "b"]), stableId(["ab"]));
  assert.match(stableId(["x"]), /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
});
