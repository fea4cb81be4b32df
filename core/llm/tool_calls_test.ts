/** Tool calls and structured outputs: mapping between the APIs, the mesh and the backends. */
import assert from "node:assert/strict";
import { InferenceRequest, InferenceToken } from "../wire/messages/llm.ts";
import { chatRequestFromOllama, OllamaChatBody } from "./api/ollama_api.ts";
import { chatRequestFromOpenAi, OpenAiChatBody, openAiToolCalls } from "./api/openai_api.ts";
import { backendRequest } from "./backend.ts";
import { continuation } from "./mesh_llm.ts";
import { ollamaTools, toOllamaMessage, withToolNames } from "./ollama_backend.ts";
import { CallAssembler, toOpenAiParameters } from "./openai_backend.ts";

const TOOL = {
  type: "function" as const,
  function: { name: "f", parameters: { type: "object", properties: {} } },
};

Deno.test("chatRequestFromOllama() keeps tools, calls and tool results", () => {
  const request = chatRequestFromOllama(OllamaChatBody.parse({
    model: "m",
    tools: [TOOL],
    messages: [
      { role: "user", content: "call f" },
      {
        role: "assistant",
        content: "",
        tool_calls: [{ function: { name: "f", arguments: { a: 1 } } }],
      },
      { role: "tool", content: "42", tool_name: "f" },
    ],
  }));
  assert.deepEqual(request.tools, [TOOL]);
  assert.deepEqual(request.messages[1].toolCalls, [{ name: "f", arguments: { a: 1 } }]);
  assert.equal(request.messages[2].toolName, "f");
});

Deno.test("chatRequestFromOpenAi() maps tool_choice, parallel_tool_calls, calls and tool_call_id", () => {
  const request = chatRequestFromOpenAi(OpenAiChatBody.parse({
    model: "m",
    tools: [TOOL],
    tool_choice: { type: "function", function: { name: "f" } },
    parallel_tool_calls: false,
    response_format: {
      type: "json_schema",
      json_schema: { name: "x", schema: { type: "object" } },
    },
    messages: [
      { role: "user", content: "call f" },
      {
        role: "assistant",
        content: null,
        tool_calls: [{ id: "c1", type: "function", function: { name: "f", arguments: '{"a":1}' } }],
      },
      { role: "tool", content: "42", tool_call_id: "c1" },
    ],
  }));
  assert.deepEqual(request.toolChoice, { name: "f" });
  assert.equal(request.parallelToolCalls, false);
  assert.deepEqual(request.format, { type: "object" });
  assert.deepEqual(request.messages[1].toolCalls, [{ id: "c1", name: "f", arguments: { a: 1 } }]);
  assert.equal(request.messages[2].toolCallId, "c1");
  assert.equal(
    chatRequestFromOpenAi(OpenAiChatBody.parse({
      model: "m",
      messages: [{ role: "user", content: "x" }],
      response_format: { type: "json_object" },
    })).format,
    "json",
  );
});

Deno.test("openAiToolCalls() keeps ids, makes one when the host gave none, and writes arguments as JSON", () => {
  const [kept, made] = openAiToolCalls([
    { id: "c1", name: "f", arguments: { a: 1 } },
    { name: "g", arguments: {} },
  ]);
  assert.deepEqual(kept, {
    id: "c1",
    type: "function",
    function: { name: "f", arguments: '{"a":1}' },
  });
  assert.match(made.id, /^call_\w+$/);
});

Deno.test("backendRequest() and the wire carry tools, tool_choice and calls", () => {
  const request = backendRequest("m", {
    messages: [{
      role: "assistant",
      content: "",
      toolCalls: [{ id: "c", name: "f", arguments: {} }],
    }],
    tools: [TOOL],
    toolChoice: "required",
    parallelToolCalls: false,
  });
  const wire = InferenceRequest.parse({ ...request, streamId: "s1" });
  assert.deepEqual(wire.tools, [TOOL]);
  assert.equal(wire.toolChoice, "required");
  assert.equal(wire.parallelToolCalls, false);
  assert.deepEqual(wire.messages[0].toolCalls, [{ id: "c", name: "f", arguments: {} }]);
  const token = InferenceToken.parse({
    streamId: "s1",
    seq: 0,
    content: "",
    toolCalls: [{ name: "f", arguments: { a: 1 } }],
  });
  assert.deepEqual(token.toolCalls, [{ name: "f", arguments: { a: 1 } }]);
  assert.equal(
    InferenceToken.safeParse({ streamId: "s", seq: 0, content: "", toolCalls: [{}] }).success,
    false,
  );
});

Deno.test("continuation() after failover passes the calls already delivered", () => {
  const asked = [{ role: "user" as const, content: "call f and g" }];
  assert.deepEqual(continuation(asked, "", [{ name: "f", arguments: {} }]), [
    ...asked,
    { role: "assistant", content: "", toolCalls: [{ name: "f", arguments: {} }] },
  ]);
  const again = continuation(
    [...asked, { role: "assistant", content: "", toolCalls: [{ name: "f", arguments: {} }] }],
    "",
    [{ name: "g", arguments: {} }],
  );
  assert.deepEqual(again.at(-1)?.toolCalls?.map((c) => c.name), ["f", "g"]);
  assert.deepEqual(continuation(asked, "some text"), [...asked, {
    role: "assistant",
    content: "some text",
  }]);
});

Deno.test("the Ollama backend names tool results by call id and applies tool_choice to the tools", () => {
  const turns = withToolNames([
    { role: "assistant", content: "", toolCalls: [{ id: "c1", name: "f", arguments: { a: 1 } }] },
    { role: "tool", content: "42", toolCallId: "c1" },
  ]);
  assert.equal(turns[1].toolName, "f");
  assert.deepEqual(toOllamaMessage(turns[0]).tool_calls, [{
    function: { name: "f", arguments: { a: 1 } },
  }]);
  assert.equal(toOllamaMessage(turns[1]).tool_name, "f");
  const g = { ...TOOL, function: { ...TOOL.function, name: "g" } };
  assert.deepEqual(
    ollamaTools({ model: "m", messages: [], tools: [TOOL, g], toolChoice: "none" }),
    {},
  );
  assert.deepEqual(
    ollamaTools({ model: "m", messages: [], tools: [TOOL, g], toolChoice: { name: "g" } }),
    { tools: [g] },
  );
});

Deno.test("the OpenAI backend sends tools and assembles streamed call deltas", () => {
  const params = toOpenAiParameters({
    model: "m",
    messages: [],
    tools: [TOOL],
    toolChoice: { name: "f" },
    parallelToolCalls: false,
  });
  assert.deepEqual(params.tool_choice, { type: "function", function: { name: "f" } });
  assert.equal(params.parallel_tool_calls, false);
  const calls = new CallAssembler();
  calls.add({ index: 0, id: "c1", function: { name: "f", arguments: "" } });
  calls.add({ index: 1, id: "c2", function: { name: "g", arguments: '{"b"' } });
  calls.add({ index: 0, function: { arguments: '{"a":' } });
  calls.add({ index: 0, function: { arguments: "1}" } });
  calls.add({ index: 1, function: { arguments: ":2}" } });
  assert.deepEqual(calls.take(), [
    { id: "c1", name: "f", arguments: { a: 1 } },
    { id: "c2", name: "g", arguments: { b: 2 } },
  ]);
  assert.deepEqual(calls.take(), []);
});
