import assert from "node:assert/strict";
import { EmbedCancel, EmbedData, EmbedFailure, EmbedRequestMessage } from "./embed.ts";
import { schemas } from "./index.ts";

Deno.test("the embedding markers are registered with their schemas", () => {
  assert.equal(schemas["EMBR:"], EmbedRequestMessage);
  assert.equal(schemas["EMBD:"], EmbedData);
  assert.equal(schemas["EMBX:"], EmbedFailure);
  assert.equal(schemas["EMBC:"], EmbedCancel);
});

Deno.test("embedding messages accept what the peers send and refuse the rest", () => {
  const ok: [{ safeParse(v: unknown): { success: boolean } }, unknown][] = [
    [EmbedRequestMessage, { requestId: "a-1", model: "m", inputs: ["x", ""] }],
    [EmbedRequestMessage, {
      requestId: "a-1",
      model: "m",
      inputs: [],
      truncate: false,
      dimensions: 64,
      keepAlive: "5m",
      options: { num_ctx: 8 },
    }],
    [EmbedData, { requestId: "a-1", offset: 0, vectors: ["AAAAPw==", [0.1, 0.2]], done: false }],
    [EmbedData, {
      requestId: "a-1",
      offset: 2,
      vectors: [],
      done: true,
      model: "m:latest",
      promptTokens: 3,
    }],
    [EmbedFailure, { requestId: "a-1", code: "rate_limited", message: "slow", retryAfterMs: 5 }],
    [EmbedCancel, { requestId: "a-1" }],
  ];
  for (const [schema, value] of ok) {
    assert.ok(schema.safeParse(value).success, JSON.stringify(value));
  }
  const bad: [{ safeParse(v: unknown): { success: boolean } }, unknown][] = [
    [EmbedRequestMessage, { requestId: "", model: "m", inputs: [] }],
    [EmbedRequestMessage, { requestId: "a", model: "", inputs: [] }],
    [EmbedRequestMessage, { requestId: "a", model: "m", inputs: [1] }],
    [EmbedRequestMessage, { requestId: "a", model: "m", inputs: [], dimensions: 0 }],
    [EmbedData, { requestId: "a", offset: -1, vectors: [], done: true }],
    [EmbedData, { requestId: "a", offset: 0, vectors: [true], done: true }],
    [EmbedData, { requestId: "a", offset: 0, vectors: [] }],
    [EmbedFailure, { requestId: "a", code: "teapot", message: "x" }],
    [EmbedCancel, { requestId: "x".repeat(65) }],
  ];
  for (const [schema, value] of bad) {
    assert.ok(!schema.safeParse(value).success, JSON.stringify(value));
  }
});
