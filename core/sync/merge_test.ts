import assert from "node:assert/strict";
import type { ChatMessage, ConversationHeader } from "../model/conversation.ts";
import { encodeHlc } from "../time/hlc.ts";
import {
  compareVersions,
  emptyContent,
  joinVersions,
  mergeInto,
  type ReplicaContent,
} from "./merge.ts";
import type { RecordValue } from "./records.ts";

const hlc = (wallMs: number, nodeId = "A", counter = 0) => encodeHlc({ wallMs, counter, nodeId });
const host = { nodeId: "A", nodeName: "a", isLlmHost: false };

function message(over: Partial<ChatMessage> = {}): RecordValue & { type: "message" } {
  return {
    type: "message",
    value: {
      id: "m1",
      conversationId: "c1",
      content: "",
      timestamp: "2025-03-25T13:56:00Z",
      sender: "a",
      messageType: "Response",
      hostInfo: host,
      originNode: "A",
      hlc: hlc(10),
      createdHlc: hlc(10),
      complete: false,
      ...over,
    },
  };
}

function header(over: Partial<ConversationHeader> = {}): RecordValue & { type: "conversation" } {
  return {
    type: "conversation",
    value: {
      id: "c1",
      title: "t",
      originNode: "A",
      hostInfo: host,
      createdAt: "2025-03-25T13:56:00Z",
      shared: true,
      hlc: hlc(5),
      ...over,
    },
  };
}

Deno.test("compareVersions() ranks a complete response above any streaming version", () => {
  const final = message({ content: "done", complete: true, hlc: hlc(20) });
  const laterGrowth = message({ content: "don", complete: false, hlc: hlc(30) });
  assert.ok(compareVersions(final, laterGrowth) > 0);
  assert.equal(joinVersions(laterGrowth, final), final);
});

Deno.test("compareVersions() lets the newer stamp win between two streaming versions", () => {
  const a = message({ content: "he", hlc: hlc(11) });
  const b = message({ content: "hello", hlc: hlc(12) });
  assert.ok(compareVersions(b, a) > 0);
});

Deno.test("compareVersions() breaks a tie of equal stamps by content, the same way everywhere", () => {
  const a = message({ content: "x", hlc: hlc(11) });
  const b = message({ content: "y", hlc: hlc(11) });
  assert.equal(Math.sign(compareVersions(a, b)), -Math.sign(compareVersions(b, a)));
  assert.equal(compareVersions(a, structuredClone(a)), 0);
});

Deno.test("title edits are last-writer-wins by HLC, node id deciding equal wall times", () => {
  const fromA = header({ title: "from A", hlc: hlc(50, "A") });
  const fromB = header({ title: "from B", hlc: hlc(50, "B") });
  assert.equal(joinVersions(fromA, fromB).value.title, "from B");
  assert.equal(joinVersions(fromB, fromA).value.title, "from B");
});

Deno.test("joinVersions() is commutative, associative and idempotent", () => {
  const versions = [
    message({ content: "a", hlc: hlc(1) }),
    message({ content: "ab", hlc: hlc(2) }),
    message({ content: "abc", hlc: hlc(3), complete: true }),
    message({ content: "abc", hlc: hlc(2, "B"), complete: true }),
    message({ content: "z", hlc: hlc(2) }),
  ];
  for (const x of versions) {
    assert.equal(joinVersions(x, x), x);
    for (const y of versions) {
      assert.deepEqual(joinVersions(x, y), joinVersions(y, x));
      for (const z of versions) {
        assert.deepEqual(joinVersions(joinVersions(x, y), z), joinVersions(x, joinVersions(y, z)));
      }
    }
  }
});

function applyAll(records: RecordValue[]): ReplicaContent {
  const content = emptyContent();
  for (const record of records) mergeInto(content, record);
  return content;
}

Deno.test("a tombstone removes the conversation and keeps stale records from bringing it back", () => {
  const tombstone: RecordValue = {
    type: "tombstone",
    value: { conversationId: "c1", hlc: hlc(100), deletedBy: "B" },
  };
  const late = [
    header({ title: "stale", hlc: hlc(500) }),
    message({ content: "late", hlc: hlc(600), complete: true }),
  ];
  const content = applyAll([header(), message(), tombstone, ...late]);
  assert.equal(content.headers.size, 0);
  assert.equal(content.messages.size, 0);
  assert.equal(content.tombstones.get("c1")?.deletedBy, "B");
  // The same records in another order end the same.
  const reversed = applyAll([...late, tombstone, message(), header()]);
  assert.deepEqual(reversed, content);
});

Deno.test("mergeInto() returns null for a duplicate and the removed keys for a tombstone", () => {
  const content = applyAll([header(), message()]);
  assert.equal(mergeInto(content, message()), null);
  assert.deepEqual(
    mergeInto(content, {
      type: "tombstone",
      value: { conversationId: "c1", hlc: hlc(9), deletedBy: "A" },
    }),
    ["c:c1", "m:m1"],
  );
});
