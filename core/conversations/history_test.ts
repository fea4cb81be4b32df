import assert from "node:assert/strict";
import { chatTurns, lastQuestion } from "./history.ts";
import type { ChatMessage } from "../model/conversation.ts";

let n = 0;
const msg = (
  messageType: ChatMessage["messageType"],
  content: string,
  over: Partial<ChatMessage> = {},
): ChatMessage => {
  const stamp = `${String(++n).padStart(15, "0")}-000000-A`;
  return {
    id: `m${n}`,
    conversationId: "c",
    content,
    timestamp: "2025-01-01T00:00:00Z",
    sender: "a",
    messageType,
    hostInfo: { nodeId: "A", nodeName: "a", isLlmHost: false },
    originNode: "A",
    hlc: stamp,
    createdHlc: stamp,
    complete: true,
    ...over,
  };
};

Deno.test("chatTurns() pairs each question with its last usable answer", () => {
  const q1 = msg("Question", "Hi");
  const first = msg("Response", "Hello");
  const regenerated = msg("Response", "Hello there");
  const q2 = msg("Question", "Weather?");
  const failed = msg("Response", "", { error: "no host" });
  const q3 = msg("Question", "And now?");
  const turns = chatTurns([q1, first, regenerated, q2, failed, q3], q3.id);
  assert.deepEqual(turns, [
    { role: "user", content: "Hi" },
    { role: "assistant", content: "Hello there" },
    { role: "user", content: "Weather?" },
    { role: "user", content: "And now?" },
  ]);
  assert.equal(lastQuestion([q1, first, q2, failed]), q2);
});

Deno.test("chatTurns() stops at the given question, leaving later answers out (regenerate)", () => {
  const q1 = msg("Question", "Hi");
  const old = msg("Response", "Old answer");
  assert.deepEqual(chatTurns([q1, old], q1.id), [{ role: "user", content: "Hi" }]);
  assert.throws(() => chatTurns([old], "missing"), /"missing" is not in the conversation/);
});
