import assert from "node:assert/strict";
import {
  chatChunk,
  chatDone,
  ChatRequestSchema,
  DEFAULT_KEEP_ALIVE_MS,
  generateDone,
  keepAliveMs,
} from "./wire.ts";

const metrics = {
  total_duration: 5,
  load_duration: 1,
  prompt_eval_count: 2,
  prompt_eval_duration: 1,
  eval_count: 3,
  eval_duration: 2,
};

Deno.test("ChatRequestSchema accepts Ollama requests with extra fields and null content", () => {
  const body = ChatRequestSchema.parse({
    model: "m",
    messages: [{ role: "user", content: null, images: ["x"] }],
    tools: [],
    think: false,
  });
  assert.equal(body.messages[0].content, "");
  assert.equal(body.stream, undefined, "absent stream means streaming");
  assert.deepEqual(ChatRequestSchema.parse({}).messages, []);
  assert.equal(ChatRequestSchema.safeParse({ messages: "x" }).success, false);
});

Deno.test("chatChunk() and chatDone() have Ollama's shape", () => {
  const chunk = chatChunk("m", "hi");
  assert.deepEqual(Object.keys(chunk), ["model", "created_at", "message", "done"]);
  assert.match(chunk.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z$/);
  const done = chatDone("m", "", "stop", metrics);
  assert.deepEqual(Object.keys(done), [
    "model",
    "created_at",
    "message",
    "done_reason",
    "done",
    ...Object.keys(metrics),
  ]); // deno-fmt-ignore
  assert.deepEqual(Object.keys(chatDone("m", "", "load")), [
    "model", "created_at", "message", "done_reason", "done",
  ]); // deno-fmt-ignore
});

Deno.test("generateDone() carries a context of prompt plus answer tokens", () => {
  const done = generateDone("m", "", "stop", metrics);
  assert.equal(done.context?.length, 5);
  assert.equal(done.done_reason, "stop");
  assert.equal("context" in generateDone("m", "", "load"), false);
});

Deno.test("keepAliveMs() reads seconds, Go durations and negatives", () => {
  assert.equal(keepAliveMs(undefined), DEFAULT_KEEP_ALIVE_MS);
  assert.equal(keepAliveMs(0), 0);
  assert.equal(keepAliveMs("0"), 0);
  assert.equal(keepAliveMs(30), 30_000);
  assert.equal(keepAliveMs("10m"), 600_000);
  assert.equal(keepAliveMs("1h30m"), 5_400_000);
  assert.equal(keepAliveMs("500ms"), 500);
  assert.equal(keepAliveMs(-1), Infinity);
  assert.equal(keepAliveMs("-1m"), Infinity);
  assert.equal(keepAliveMs("soon"), DEFAULT_KEEP_ALIVE_MS);
});
