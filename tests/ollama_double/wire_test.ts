import assert from "node:assert/strict";
import {
  chatChunk,
  chatDone,
  ChatRequestSchema,
  DEFAULT_KEEP_ALIVE_MS,
  EmbeddingsRequestSchema,
  EmbedRequestSchema,
  generateDone,
  GenerateRequestSchema,
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
    messages: [{ role: "user", content: null, images: ["eA=="] }],
    tools: [],
    think: false,
  });
  assert.equal(body.messages[0].content, "");
  assert.deepEqual(body.messages[0].images, ["eA=="]);
  assert.equal(body.stream, undefined, "absent stream means streaming");
  assert.deepEqual(ChatRequestSchema.parse({}).messages, []);
  assert.equal(ChatRequestSchema.safeParse({ messages: "x" }).success, false);
});

Deno.test("images must be base64, as Ollama's ImageData decodes them", () => {
  const parse = (images: string[]) =>
    ChatRequestSchema.safeParse({ messages: [{ role: "user", content: "", images }] });
  assert.equal(parse(["aGk=", "aGkh", ""]).success, true);
  for (const bad of ["x", "a b=", "aGk"]) {
    const result = parse([bad]);
    assert.equal(result.success, false, bad);
    assert.match(result.error!.issues[0].message, /illegal base64 data/);
  }
  assert.equal(GenerateRequestSchema.safeParse({ prompt: "p", images: ["%%%%"] }).success, false);
});

Deno.test("EmbedRequestSchema takes a string or a list; EmbeddingsRequestSchema a prompt", () => {
  assert.equal(EmbedRequestSchema.parse({ model: "m", input: "a" }).input, "a");
  assert.deepEqual(EmbedRequestSchema.parse({ model: "m", input: ["a", "b"] }).input, ["a", "b"]);
  assert.equal(EmbedRequestSchema.safeParse({ model: "m", input: [1] }).success, false);
  assert.equal(EmbedRequestSchema.safeParse({ model: "m", dimensions: -1 }).success, false);
  assert.equal(EmbeddingsRequestSchema.parse({ model: "m" }).prompt, "");
});

Deno.test("tool calls in chat messages and tools are read in Ollama's shape", () => {
  const body = ChatRequestSchema.parse({
    model: "m",
    messages: [
      {
        role: "assistant",
        content: "",
        tool_calls: [{ function: { name: "f", arguments: { a: 1 } } }],
      },
      { role: "tool", content: "42", tool_name: "f" },
    ],
    tools: [{ type: "function", function: { name: "f", parameters: { type: "object" } } }],
    format: { type: "object" },
  });
  assert.deepEqual(body.messages[0].tool_calls?.[0].function, { name: "f", arguments: { a: 1 } });
  assert.equal(body.messages[1].tool_name, "f");
  assert.equal(body.tools?.[0].function.name, "f");
  assert.equal(ChatRequestSchema.safeParse({ format: "yaml" }).success, false);
  assert.equal(ChatRequestSchema.safeParse({ format: "json" }).success, true);
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
