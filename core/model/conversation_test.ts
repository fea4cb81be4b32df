import assert from "node:assert/strict";
import {
  ChatMessage,
  compareMessageOrder,
  ConversationHeader,
  titleFromQuestion,
} from "./conversation.ts";

const message = (over: Partial<ChatMessage> = {}): ChatMessage => ({
  id: "m1",
  conversationId: "c1",
  content: "hello",
  timestamp: "2025-03-25T13:56:00.304707400Z",
  sender: "alice",
  messageType: "Question",
  hostInfo: { nodeId: "A", nodeName: "laptop", isLlmHost: false },
  originNode: "A",
  hlc: "001742910960304-000000-A",
  createdHlc: "001742910960304-000000-A",
  complete: true,
  ...over,
});

Deno.test("ChatMessage accepts a message with nine-digit fractional seconds", () => {
  assert.equal(ChatMessage.safeParse(message()).success, true);
});

Deno.test("ChatMessage refuses a bad timestamp, type or stamp", () => {
  assert.equal(ChatMessage.safeParse(message({ timestamp: "yesterday" })).success, false);
  assert.equal(ChatMessage.safeParse({ ...message(), messageType: "Answer" }).success, false);
  assert.equal(ChatMessage.safeParse(message({ hlc: "42" })).success, false);
});

Deno.test("ConversationHeader refuses an overlong title", () => {
  const header = {
    id: "c1",
    title: "x".repeat(201),
    originNode: "A",
    hostInfo: { nodeId: "A", nodeName: "laptop", isLlmHost: false },
    createdAt: "2025-03-25T13:56:00Z",
    shared: true,
    hlc: "001742910960304-000000-A",
  };
  assert.equal(ConversationHeader.safeParse(header).success, false);
  assert.equal(ConversationHeader.safeParse({ ...header, title: "ok" }).success, true);
});

Deno.test("compareMessageOrder() sorts by creation stamp, then id", () => {
  const later = message({ id: "a", createdHlc: "001742910960305-000000-A" });
  const first = message({ id: "z", createdHlc: "001742910960304-000000-B" });
  const tieA = message({ id: "b", createdHlc: "001742910960305-000000-A" });
  assert.deepEqual([later, tieA, first].sort(compareMessageOrder).map((m) => m.id), [
    "z",
    "a",
    "b",
  ]);
});

Deno.test("titleFromQuestion() collapses whitespace and shortens long questions", () => {
  assert.equal(titleFromQuestion("  What is\n\nRust?  "), "What is Rust?");
  const long = titleFromQuestion("word ".repeat(40));
  assert.ok(long.length <= 60 && long.endsWith("..."), long);
});

Deno.test("titleFromQuestion() leaves out markdown marks", () => {
  assert.equal(
    titleFromQuestion("## Explain **CRDTs** with `code` and [a link](http://x)"),
    "Explain CRDTs with code and a link",
  );
  assert.equal(titleFromQuestion("```\n```"), "``` ```");
});
