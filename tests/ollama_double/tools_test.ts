import assert from "node:assert/strict";
import type { ConversationMessage } from "./answer.ts";
import {
  ARGUMENT_FRAGMENT_CHARS,
  canonicalJson,
  expectedToolCalls,
  ollamaToolCall,
  openAiToolCall,
  openAiToolCallDeltas,
  planToolReply,
  type ToolSpec,
} from "./tools.ts";

const WEATHER: ToolSpec = {
  name: "get_weather",
  parameters: {
    type: "object",
    properties: { city: { type: "string" }, unit: { enum: ["celsius", "fahrenheit"] } },
    required: ["city"],
  },
};
const TIME: ToolSpec = { name: "get_time" };
const user = (content: string): ConversationMessage => ({ role: "user", content });

Deno.test("expectedToolCalls() calls the tools the last user message names, in that order", () => {
  const calls = expectedToolCalls("m", [user("get_time then get_weather")], [WEATHER, TIME]);
  assert.deepEqual(calls.map((c) => c.name), ["get_time", "get_weather"]);
  assert.deepEqual(Object.keys(calls[1].arguments), ["city", "unit"]);
  assert.ok(["celsius", "fahrenheit"].includes(calls[1].arguments.unit as string));
  assert.deepEqual(calls[0].arguments, {}, "a tool without parameters gets {}");
  assert.match(calls[0].id, /^call_[0-9a-z]{7,}$/);
  assert.notEqual(calls[0].id, calls[1].id);
  assert.deepEqual(
    expectedToolCalls("m", [user("get_time then get_weather")], [WEATHER, TIME]),
    calls,
    "deterministic",
  );
});

Deno.test("expectedToolCalls() answers text when no tool is named or the last message is not the user's", () => {
  assert.deepEqual(expectedToolCalls("m", [user("hello")], [WEATHER]), []);
  assert.deepEqual(expectedToolCalls("m", [user("get_weather")], []), []);
  const afterResult = [
    user("get_weather"),
    { role: "assistant", content: "", tool_calls: [{ name: "get_weather", arguments: {} }] },
    { role: "tool", content: "sunny", tool_name: "get_weather" },
  ];
  assert.deepEqual(expectedToolCalls("m", afterResult, [WEATHER]), []);
});

Deno.test("expectedToolCalls() follows OpenAI's tool_choice and parallel_tool_calls", () => {
  const both = [user("get_weather and get_time")];
  assert.deepEqual(expectedToolCalls("m", both, [WEATHER, TIME], "none"), []);
  assert.deepEqual(
    expectedToolCalls("m", [user("hi")], [WEATHER, TIME], "required").map((c) => c.name),
    [
      "get_weather",
    ],
  );
  assert.deepEqual(
    expectedToolCalls("m", [user("hi")], [WEATHER, TIME], { name: "get_time" }).map((c) => c.name),
    ["get_time"],
  );
  assert.deepEqual(
    expectedToolCalls("m", both, [WEATHER, TIME], "auto", false).map((c) => c.name),
    [
      "get_weather",
    ],
  );
});

Deno.test("planToolReply() continues after the calls already delivered", () => {
  const messages = [user("get_weather and get_time")];
  const callsFor = (m: readonly ConversationMessage[]) =>
    expectedToolCalls("m", m, [WEATHER, TIME]);
  const full = planToolReply(messages, callsFor)!;
  assert.equal(full.calls.length, 2);
  assert.equal(full.continuedFrom, null);
  const first = full.calls[0];
  // arguments in another key order are the same call
  const reordered = Object.fromEntries(Object.entries(first.arguments).reverse());
  const rest = planToolReply([
    ...messages,
    { role: "assistant", content: "", tool_calls: [{ name: first.name, arguments: reordered }] },
  ], callsFor)!;
  assert.deepEqual(rest.calls, full.calls.slice(1));
  assert.equal(rest.continuedFrom?.length, 1);
  const other = planToolReply([
    ...messages,
    { role: "assistant", content: "", tool_calls: [{ name: "get_time", arguments: { x: 1 } }] },
  ], callsFor);
  assert.equal(other, null, "not a prefix: a new turn, answered with text");
  assert.equal(planToolReply([user("hi")], callsFor), null);
});

Deno.test("tool calls in Ollama's and OpenAI's shapes; OpenAI streams argument fragments", () => {
  const call = { id: "call_1", name: "f", arguments: { city: "Paris", days: 3 } };
  assert.deepEqual(ollamaToolCall(call, 2), {
    function: { index: 2, name: "f", arguments: { city: "Paris", days: 3 } },
  });
  assert.deepEqual(openAiToolCall(call), {
    id: "call_1",
    type: "function",
    function: { name: "f", arguments: '{"city":"Paris","days":3}' },
  });
  const deltas = openAiToolCallDeltas([call, { ...call, id: "call_2" }], 1);
  assert.deepEqual(deltas[0], {
    index: 1,
    id: "call_1",
    type: "function",
    function: { name: "f", arguments: "" },
  });
  const pieces = deltas.filter((d) => d.index === 1).slice(1) as {
    function: { arguments: string };
  }[];
  assert.ok(
    pieces.length > 1 &&
      pieces.every((p) => p.function.arguments.length <= ARGUMENT_FRAGMENT_CHARS),
  );
  assert.equal(pieces.map((p) => p.function.arguments).join(""), JSON.stringify(call.arguments));
  assert.equal(deltas.filter((d) => "id" in d).length, 2);
  assert.equal(
    canonicalJson({ b: 1, a: { d: 2, c: 3 } }),
    canonicalJson({ a: { c: 3, d: 2 }, b: 1 }),
  );
});
