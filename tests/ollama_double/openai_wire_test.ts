import assert from "node:assert/strict";
import {
  ChatCompletionRequestSchema,
  CompletionRequestSchema,
  conversationMessage,
  EmbeddingRequestSchema,
  InvalidImage,
  openAiErrorResponse,
  openAiInvalid,
  structuredFormat,
  toolChoice,
} from "./openai_wire.ts";

Deno.test("ChatCompletionRequestSchema reads messages, tools, stop and response formats", () => {
  const req = ChatCompletionRequestSchema.parse({
    model: "m",
    messages: [{ role: "user", content: "hi" }],
    stop: "END",
    temperature: 0.2,
    tool_choice: { type: "function", function: { name: "f" } },
    response_format: {
      type: "json_schema",
      json_schema: { name: "x", schema: { type: "object" } },
    },
  });
  assert.deepEqual(req.stop, ["END"]);
  assert.deepEqual(toolChoice(req.tool_choice), { name: "f" });
  assert.deepEqual(structuredFormat(req.response_format), { type: "object" });
  assert.equal(structuredFormat({ type: "json_object" }), "json");
  assert.equal(structuredFormat({ type: "text" }), null);
  assert.equal(toolChoice(undefined), "auto");
  assert.equal(ChatCompletionRequestSchema.safeParse({ model: "m", messages: [] }).success, false);
  assert.equal(
    ChatCompletionRequestSchema.safeParse({
      model: "m",
      messages: [{ role: "robot", content: "" }],
    })
      .success,
    false,
  );
});

Deno.test("conversationMessage() joins text parts, takes data-URL images and parses tool calls", () => {
  assert.deepEqual(
    conversationMessage({
      role: "user",
      content: [
        { type: "text", text: "what is " },
        { type: "image_url", image_url: { url: "data:image/png;base64,aGk=" } },
        { type: "text", text: "this?" },
      ],
    }),
    { role: "user", content: "what is this?", images: ["aGk="] },
  );
  assert.deepEqual(
    conversationMessage({
      role: "assistant",
      content: null,
      tool_calls: [{
        id: "call_1",
        type: "function",
        function: { name: "f", arguments: '{"a":1}' },
      }],
    }),
    { role: "assistant", content: "", tool_calls: [{ name: "f", arguments: { a: 1 } }] },
  );
  assert.deepEqual(conversationMessage({ role: "tool", content: "42", tool_call_id: "call_1" }), {
    role: "tool",
    content: "42",
    tool_call_id: "call_1",
  });
  assert.throws(
    () =>
      conversationMessage({
        role: "user",
        content: [{ type: "image_url", image_url: "https://example.com/a.png" }],
      }),
    InvalidImage,
  );
});

Deno.test("CompletionRequestSchema and EmbeddingRequestSchema take a string or a list", () => {
  assert.equal(CompletionRequestSchema.parse({ model: "m", prompt: ["p"] }).prompt, "p");
  assert.deepEqual(
    CompletionRequestSchema.parse({ model: "m", prompt: "p", stop: ["a", "b"] }).stop,
    ["a", "b"],
  );
  assert.deepEqual(EmbeddingRequestSchema.parse({ model: "m", input: "a" }).input, ["a"]);
  assert.deepEqual(EmbeddingRequestSchema.parse({ model: "m", input: ["a", "b"] }).input, [
    "a",
    "b",
  ]);
  for (const input of ["", [], [[1, 2]]]) {
    assert.equal(EmbeddingRequestSchema.safeParse({ model: "m", input }).success, false);
  }
  assert.equal(
    EmbeddingRequestSchema.safeParse({ model: "m", input: "a", encoding_format: "hex" }).success,
    false,
  );
});

Deno.test("errors have OpenAI's shape and name the field", async () => {
  const bad = ChatCompletionRequestSchema.safeParse({ model: "m", messages: "x" });
  assert.equal(bad.success, false);
  const response = openAiInvalid(bad.error!);
  assert.equal(response.status, 400);
  const body = await response.json();
  assert.equal(body.error.param, "messages");
  assert.equal(body.error.type, "invalid_request_error");
  assert.match(body.error.message, /'messages'/);
  const notFound = await openAiErrorResponse(404, "no", "model", "model_not_found").json();
  assert.deepEqual(notFound, {
    error: {
      message: "no",
      type: "invalid_request_error",
      param: "model",
      code: "model_not_found",
    },
  });
  assert.equal((await openAiErrorResponse(500, "x").json()).error.type, "server_error");
});
