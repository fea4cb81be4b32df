import assert from "node:assert/strict";
import type { ChatChunk } from "../llm/chat.ts";
import type { ChatMessage, ServedBy } from "../model/conversation.ts";
import { type AnswerSoFar, answerStats, foldChunk } from "./answer_fold.ts";

const A: ServedBy = { nodeId: "A", nodeName: "alpha", model: "llama3.2:latest" };
const B: ServedBy = { nodeId: "B", nodeName: "beta", model: "llama3.2:latest" };

const response: ChatMessage = {
  id: "R",
  conversationId: "C",
  messageType: "Response",
  content: "",
  sender: "assistant",
  timestamp: "2026-01-01T00:00:00.000Z",
  hostInfo: { nodeId: "SELF", nodeName: "self", isLlmHost: false },
  complete: false,
  originNode: "SELF",
  hlc: "h",
  createdHlc: "h",
};

const chunk = (content: string, servedBy = A, extra: Partial<ChatChunk> = {}): ChatChunk => ({
  content,
  done: false,
  servedBy,
  ...extra,
});

Deno.test("foldChunk() grows the message and says what changed, chunk by chunk", () => {
  const table: [string, ChatChunk, string, string, string[], number][] = [
    // [what, chunk, content after, sender after, event types, pieces after]
    ["text from the first host", chunk("Hel"), "Hel", "alpha", ["delta"], 1],
    ["more text", chunk("lo"), "Hello", "alpha", ["delta"], 2],
    ["an empty keep-alive chunk adds nothing", chunk(""), "Hello", "alpha", [], 2],
    [
      "the first text of a new host after failover",
      chunk(" there", B, { failedOverFrom: A }),
      "Hello there",
      "beta",
      ["failover", "delta"],
      3,
    ],
    ["the final chunk", chunk("", B, { done: true }), "Hello there", "beta", [], 3],
  ];
  let answer: AnswerSoFar = { message: response, pieces: 0 };
  for (const [what, next, content, sender, types, pieces] of table) {
    const folded = foldChunk(answer, next);
    answer = folded.answer;
    assert.equal(answer.message.content, content, what);
    assert.equal(answer.message.sender, sender, what);
    assert.equal(answer.message.hostInfo.nodeId, next.servedBy.nodeId, what);
    assert.deepEqual(folded.events.map((e) => e.type), types, what);
    assert.equal(answer.pieces, pieces, what);
    assert.equal(answer.last, next, what);
  }
  assert.deepEqual(answer.message.failover, A);
  assert.equal(answer.message.model, "llama3.2:latest");
  assert.equal(answer.message.complete, false, "only the service completes an answer");
});

Deno.test("foldChunk() names the old and new host in a failover event and the delta's message", () => {
  const { events } = foldChunk(
    { message: response, pieces: 0 },
    chunk("x", B, { failedOverFrom: A }),
  );
  assert.deepEqual(events, [
    { type: "failover", messageId: "R", from: A, to: B },
    { type: "delta", messageId: "R", content: "x" },
  ]);
});

Deno.test("answerStats() takes the host's counts, or one token per piece and the elapsed time", () => {
  const done = (stats?: ChatChunk["stats"]) => chunk("", A, { done: true, stats });
  const table: [string, AnswerSoFar, number, ChatMessage["stats"]][] = [
    ["no text: no stats", { message: response, pieces: 0, last: done() }, 500, undefined],
    [
      "the host's counts and eval time",
      { message: response, pieces: 3, last: done({ evalCount: 40, evalDurationNs: 2e9 }) },
      9_999,
      { tokens: 40, durationMs: 2000, tokensPerSec: 20 },
    ],
    [
      "pieces over elapsed time without counts",
      { message: response, pieces: 3, last: done() },
      1500,
      { tokens: 3, durationMs: 1500, tokensPerSec: 2 },
    ],
    [
      "zero elapsed time: rate 0",
      { message: response, pieces: 2 },
      0,
      { tokens: 2, durationMs: 0, tokensPerSec: 0 },
    ],
  ];
  for (const [what, answer, elapsedMs, expected] of table) {
    assert.deepEqual(answerStats(answer, elapsedMs), expected, what);
  }
});
