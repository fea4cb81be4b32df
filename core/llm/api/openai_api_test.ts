import assert from "node:assert/strict";
import type { ChatChunk } from "../chat.ts";
import { SCRIPTED_MODELS } from "../testing/scripted_llm.ts";
import {
  chatRequestFromOpenAi,
  finishReason,
  OpenAiChatBody,
  openAiChunk,
  openAiCompletion,
  openAiError,
  openAiModel,
  openAiModelList,
  openAiUsageChunk,
  UnsupportedInput,
} from "./openai_api.ts";

const SERVED = { nodeId: "A", nodeName: "alpha", model: "llama3.2:latest" };
const CTX = { id: "chatcmpl-1", created: 1_700_000_000 };
const user = (content: unknown) => ({ role: "user", content });
const request = (extra: Record<string, unknown>) =>
  chatRequestFromOpenAi(OpenAiChatBody.parse({ model: "m", messages: [user("hi")], ...extra }));

Deno.test("OpenAiChatBody accepts OpenAI's chat requests and names what the mesh refuses", () => {
  const table: [string, unknown, string | null][] = [
    ["a plain chat", { model: "m", messages: [user("hi")] }, null],
    ["content parts", { model: "m", messages: [user([{ type: "text", text: "hi" }])] }, null],
    ["no messages", { model: "m", messages: [] }, "messages"],
    ["no model", { messages: [user("hi")] }, "model"],
    ["two choices", { model: "m", messages: [user("hi")], n: 2 }, "n"],
    [
      "a tool without a function",
      { model: "m", messages: [user("hi")], tools: [{}] },
      "tools.0.function",
    ],
    ["tools", {
      model: "m",
      messages: [user("hi")],
      tools: [{ type: "function", function: { name: "f" } }],
      tool_choice: { type: "function", function: { name: "f" } },
      parallel_tool_calls: false,
    }, null],
    [
      "an unknown tool_choice",
      { model: "m", messages: [user("hi")], tool_choice: "any" },
      "tool_choice",
    ],
    ["a tool call without an id", {
      model: "m",
      messages: [{
        role: "assistant",
        content: null,
        tool_calls: [{ type: "function", function: { name: "f", arguments: "{}" } }],
      }],
    }, "messages.0.tool_calls.0.id"],
    [
      "temperature out of range",
      { model: "m", messages: [user("hi")], temperature: 3 },
      "temperature",
    ],
  ];
  for (const [what, body, problem] of table) {
    const parsed = OpenAiChatBody.safeParse(body);
    if (problem === null) assert.ok(parsed.success, what);
    else assert.equal(parsed.error?.issues[0].path.join("."), problem, what);
  }
});

Deno.test("chatRequestFromOpenAi() maps sampling parameters to Ollama options", () => {
  const table: [string, Record<string, unknown>, Record<string, unknown> | undefined][] = [
    ["none", {}, undefined],
    ["temperature and top_p", { temperature: 0.2, top_p: 0.9 }, { temperature: 0.2, top_p: 0.9 }],
    ["max_tokens", { max_tokens: 50 }, { num_predict: 50 }],
    ["max_completion_tokens wins", { max_tokens: 50, max_completion_tokens: 20 }, {
      num_predict: 20,
    }],
    ["one stop string", { stop: "END" }, { stop: ["END"] }],
    ["seed and penalties", { seed: 7, frequency_penalty: 1, presence_penalty: -1 }, {
      seed: 7,
      frequency_penalty: 1,
      presence_penalty: -1,
    }],
  ];
  for (const [what, extra, options] of table) {
    assert.deepEqual(request(extra).options, options, what);
  }
});

Deno.test("chatRequestFromOpenAi() maps response formats and reasoning effort", () => {
  const schema = { type: "object" };
  const table: [string, Record<string, unknown>, unknown, unknown][] = [
    // [what, extra, format, think]
    ["text", { response_format: { type: "text" } }, undefined, undefined],
    ["json object", { response_format: { type: "json_object" } }, "json", undefined],
    [
      "json schema",
      { response_format: { type: "json_schema", json_schema: { schema } } },
      schema,
      undefined,
    ],
    ["no reasoning", { reasoning_effort: "none" }, undefined, false],
    ["minimal reasoning", { reasoning_effort: "minimal" }, undefined, "low"],
    ["high reasoning", { reasoning_effort: "high" }, undefined, "high"],
  ];
  for (const [what, extra, format, think] of table) {
    const mapped = request(extra);
    assert.deepEqual(mapped.format, format, what);
    assert.equal(mapped.think, think, what);
  }
});

Deno.test("chatRequestFromOpenAi() joins text parts, keeps data-URL images, refuses image links", () => {
  const mapped = chatRequestFromOpenAi(
    OpenAiChatBody.parse({
      model: "m",
      messages: [
        { role: "developer", content: "terse" },
        user([
          { type: "text", text: "what" },
          { type: "text", text: "is this?" },
          { type: "image_url", image_url: { url: "data:image/png;base64,aGk=" } },
        ]),
        { role: "assistant", content: null },
      ],
    }),
    { conversationId: "c", preferredHost: "B" },
  );
  assert.deepEqual(mapped.messages, [
    { role: "system", content: "terse" },
    { role: "user", content: "what\nis this?", images: ["aGk="] },
    { role: "assistant", content: "" },
  ]);
  assert.equal(mapped.conversationId, "c");
  assert.equal(mapped.preferredHost, "B");
  assert.throws(
    () => request({ messages: [user([{ type: "image_url", image_url: "https://x/y.png" }])] }),
    (error: unknown) =>
      error instanceof UnsupportedInput && error.param === "messages.0.content.0.image_url",
  );
});

Deno.test("completion objects: chunks, usage, the whole answer and the finish reason", () => {
  assert.equal(finishReason("length"), "length");
  assert.equal(finishReason("load"), "stop");
  assert.equal(finishReason(undefined), "stop");
  const chunk = openAiChunk(CTX, "m", { role: "assistant", content: "Hel" }, null);
  assert.deepEqual(chunk, {
    id: "chatcmpl-1",
    object: "chat.completion.chunk",
    created: 1_700_000_000,
    model: "m",
    system_fingerprint: "fp_neuromesh",
    choices: [{ index: 0, delta: { role: "assistant", content: "Hel" }, finish_reason: null }],
  });
  assert.deepEqual(openAiUsageChunk(CTX, "m", undefined).usage, {
    prompt_tokens: 0,
    completion_tokens: 0,
    total_tokens: 0,
  });
  const last: ChatChunk = {
    content: "",
    done: true,
    servedBy: SERVED,
    doneReason: "length",
    stats: { promptEvalCount: 7, evalCount: 3 },
  };
  const trailer = { hosts: [], failedOver: false };
  const whole = openAiCompletion(CTX, last, { content: "Hello", thinking: "hmm" }, trailer);
  assert.deepEqual(whole.choices, [{
    index: 0,
    message: { role: "assistant", content: "Hello", reasoning: "hmm" },
    finish_reason: "length",
  }]);
  assert.deepEqual(whole.usage, { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 });
  assert.equal(whole.model, "llama3.2:latest");
});

Deno.test("/v1/models entries: owned by the only host, else by the mesh; errors in OpenAI's shape", () => {
  const [model] = SCRIPTED_MODELS;
  assert.deepEqual(openAiModelList(SCRIPTED_MODELS).data, [openAiModel(model)]);
  assert.equal(openAiModel(model).owned_by, "neuromesh");
  assert.equal(openAiModel({ ...model, hosts: [model.hosts[0]] }).owned_by, "alpha");
  assert.equal(openAiModel({ ...model, modifiedAt: "not a date" }).created, 0);
  assert.equal(openAiModel({ ...model, modifiedAt: undefined }).created, 0);
  assert.deepEqual(openAiError("gone", "not_found_error", "model_not_found", "model"), {
    error: { message: "gone", type: "not_found_error", param: "model", code: "model_not_found" },
  });
});
