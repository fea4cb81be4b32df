import assert from "node:assert/strict";
import type { ChatChunk } from "../llm/chat.ts";
import type { ChatMessage, ServedBy } from "../model/conversation.ts";
import { type AnswerSoFar, answerStats, foldChunk, startAnswer } from "./answer_fold.ts";

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
  const table: [string, ChatChunk, string, string, string[], number, number | undefined][] = [
    // [what, chunk, content after, sender after, event types, pieces after, tokens after]
    [
      "the first chunk names its host before any text",
      chunk(""),
      "",
      "alpha",
      ["serving"],
      0,
      undefined,
    ],
    ["text from the first host", chunk("Hel"), "Hel", "alpha", ["delta"], 1, 1],
    ["more text", chunk("lo"), "Hello", "alpha", ["delta"], 2, 2],
    ["an empty keep-alive chunk adds nothing", chunk(""), "Hello", "alpha", [], 2, 2],
    [
      "the first text of a new host after failover",
      chunk(" there", B, { failedOverFrom: A, failoverReason: "stalled" }),
      "Hello there",
      "beta",
      ["failover", "delta"],
      3,
      3,
    ],
    [
      "the final chunk: the new host's own count adds to the old host's tokens",
      chunk("", B, { done: true, stats: { evalCount: 5, evalDurationNs: 1e9 } }),
      "Hello there",
      "beta",
      [],
      3,
      7,
    ],
  ];
  let answer = startAnswer(response);
  for (const [what, next, content, sender, types, pieces, tokens] of table) {
    const folded = foldChunk(answer, next, 1000);
    answer = folded.answer;
    assert.equal(answer.message.content, content, what);
    assert.equal(answer.message.sender, sender, what);
    assert.equal(answer.message.hostInfo.nodeId, next.servedBy.nodeId, what);
    assert.equal(answer.message.hostInfo.model, next.servedBy.model, what);
    assert.deepEqual(folded.events.map((e) => e.type), types, what);
    assert.equal(answer.pieces, pieces, what);
    assert.equal(answer.message.stats?.tokens, tokens, what);
    assert.equal(answer.last, next, what);
  }
  assert.deepEqual(answer.message.failover, { ...A, reason: "stalled" });
  assert.equal(answer.message.model, "llama3.2:latest");
  assert.equal(answer.message.complete, false, "only the service completes an answer");
});

Deno.test("foldChunk() names the first host in a serving event, before the first text", () => {
  const { events } = foldChunk(startAnswer(response), chunk("Hi"), 0);
  assert.deepEqual(events, [
    { type: "serving", messageId: "R", servedBy: A },
    {
      type: "delta",
      messageId: "R",
      content: "Hi",
      stats: { tokens: 1, durationMs: 0, tokensPerSec: 0 },
    },
  ]);
});

Deno.test("foldChunk() names the old host, the reason and the new host in a failover event", () => {
  const table: [string, ChatChunk["failoverReason"], ChatMessage["failover"]][] = [
    ["stalled", "stalled", { ...A, reason: "stalled" }],
    ["lost", "died", { ...A, reason: "died" }],
    ["no reason given (an older LLM layer)", undefined, A],
  ];
  for (const [what, reason, from] of table) {
    const { answer, events } = foldChunk(
      startAnswer(response),
      chunk("x", B, { failedOverFrom: A, ...(reason ? { failoverReason: reason } : {}) }),
      250,
    );
    assert.deepEqual(events, [
      { type: "failover", messageId: "R", from, to: B },
      {
        type: "delta",
        messageId: "R",
        content: "x",
        stats: { tokens: 1, durationMs: 250, tokensPerSec: 4 },
      },
    ], what);
    assert.deepEqual(answer.message.failover, from, what);
  }
});

Deno.test("foldChunk() keeps counting tokens across a failover, in every delta", () => {
  let answer = startAnswer(response);
  const tokens: number[] = [];
  const pieces = [
    chunk("a"),
    chunk("b"),
    chunk("c", B, { failedOverFrom: A, failoverReason: "died" }),
    chunk("d", B),
  ];
  for (const [i, next] of pieces.entries()) {
    const folded = foldChunk(answer, next, i * 100);
    answer = folded.answer;
    for (const event of folded.events) {
      if (event.type === "delta") tokens.push(event.stats!.tokens);
    }
  }
  assert.deepEqual(tokens, [1, 2, 3, 4]);
});

Deno.test("answerStats() takes the host's counts, or one token per piece and the elapsed time", () => {
  const done = (stats?: ChatChunk["stats"]) => chunk("", A, { done: true, stats });
  const so = (pieces: number, hostPieces: number, last?: ChatChunk): AnswerSoFar => ({
    message: response,
    pieces,
    hostPieces,
    last,
  });
  const table: [string, AnswerSoFar, number, ChatMessage["stats"]][] = [
    ["no text: no stats", so(0, 0, done()), 500, undefined],
    [
      "the host's counts and eval time",
      so(3, 3, done({ evalCount: 40, evalDurationNs: 2e9 })),
      9_999,
      { tokens: 40, durationMs: 2000, tokensPerSec: 20 },
    ],
    [
      "pieces over elapsed time without counts",
      so(3, 3, done()),
      1500,
      { tokens: 3, durationMs: 1500, tokensPerSec: 2 },
    ],
    ["zero elapsed time: rate 0", so(2, 2), 0, { tokens: 2, durationMs: 0, tokensPerSec: 0 }],
    [
      "after a failover: the left host's pieces plus the new host's count, over the elapsed time",
      so(10, 4, done({ evalCount: 5, evalDurationNs: 1e9 })),
      2000,
      { tokens: 11, durationMs: 2000, tokensPerSec: 5.5 },
    ],
    ["mid-answer after a failover: every piece so far", so(10, 4), 4000, {
      tokens: 10,
      durationMs: 4000,
      tokensPerSec: 2.5,
    }],
  ];
  for (const [what, answer, elapsedMs, expected] of table) {
    assert.deepEqual(answerStats(answer, elapsedMs), expected, what);
  }
});
