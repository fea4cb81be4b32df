/**
 * Tool calling and structured outputs through the mesh: the real `ollama` and `openai` clients
 * ask a node without a backend; a peer with the Ollama test double answers.
 */
import assert from "node:assert/strict";
import { type Message, Ollama, type Tool } from "ollama";
import OpenAI from "openai";
import { type ConversationMessage, expectedAnswer } from "../../tests/ollama_double/answer.ts";
import { expectedStructuredAnswer } from "../../tests/ollama_double/structured.ts";
import { expectedToolCalls, ollamaToolCall } from "../../tests/ollama_double/tools.ts";
import { serveMesh } from "../../tests/support/llm_mesh_server.ts";

const MODEL = "tinyllama:1.1b";
const TOOLS: Tool[] = [{
  type: "function" as const,
  function: {
    name: "get_weather",
    description: "the weather in a city",
    parameters: {
      type: "object",
      properties: { city: { type: "string" } },
      required: ["city"],
    },
  },
}, {
  type: "function" as const,
  function: {
    name: "get_time",
    parameters: {
      type: "object",
      properties: { zone: { type: "string" } },
      required: ["zone"],
    },
  },
}];
const QUESTION = "please use get_weather and then get_time";
const question: Message[] = [{ role: "user", content: QUESTION }];
const asked: ConversationMessage[] = [{ role: "user", content: QUESTION }];
const OPENAI_TOOLS = TOOLS as unknown as OpenAI.Chat.Completions.ChatCompletionTool[];
const expected = () => expectedToolCalls(MODEL, asked, TOOLS.map((t) => t.function as never));

/** The conversation after the calls, with one result per call, as the double sees it. */
function withResults(calls: { name: string; arguments: unknown }[]): ConversationMessage[] {
  return [
    ...asked,
    { role: "assistant", content: "", tool_calls: calls },
    ...calls.map((c) => ({ role: "tool", content: `result of ${c.name}`, tool_name: c.name })),
  ];
}

Deno.test("the ollama client calls tools through the mesh, streamed and not, and gets the answer to the results", async () => {
  await using mesh = await serveMesh([{ id: "host", double: { models: [MODEL] } }, {
    id: "client",
  }]);
  const ollama = new Ollama({ host: mesh.url });
  const calls = expected();
  assert.equal(calls.length, 2);

  const whole = await ollama.chat({ model: MODEL, messages: question, tools: TOOLS });
  assert.deepEqual(whole.message.tool_calls, calls.map(ollamaToolCall));

  const streamed = [];
  for await (
    const part of await ollama.chat({
      model: MODEL,
      messages: question,
      tools: TOOLS,
      stream: true,
    })
  ) {
    streamed.push(...(part.message.tool_calls ?? []));
  }
  assert.deepEqual(streamed, calls.map(ollamaToolCall));

  const records = calls.map((c) => ({ name: c.name, arguments: c.arguments }));
  const answer = await ollama.chat({
    model: MODEL,
    tools: TOOLS,
    messages: [
      ...question,
      { role: "assistant", content: "", tool_calls: whole.message.tool_calls } as Message,
      ...records.map((c) => ({ role: "tool", content: `result of ${c.name}`, tool_name: c.name })),
    ],
  });
  assert.equal(answer.message.content, expectedAnswer(MODEL, withResults(records)));
  assert.equal(answer.message.tool_calls, undefined);
});

Deno.test("the openai client calls tools through the mesh, streamed deltas and whole, and answers tool_call_id results", async () => {
  await using mesh = await serveMesh([{ id: "host", double: { models: [MODEL] } }, {
    id: "client",
  }]);
  const openai = new OpenAI({ baseURL: `${mesh.url}/v1`, apiKey: "x", maxRetries: 0 });
  const calls = expected();
  const records = calls.map((c) => ({ name: c.name, arguments: c.arguments }));

  const whole = await openai.chat.completions.create({
    model: MODEL,
    messages: [{ role: "user", content: QUESTION }],
    tools: OPENAI_TOOLS,
  });
  assert.equal(whole.choices[0].finish_reason, "tool_calls");
  const got = whole.choices[0].message.tool_calls!;
  assert.deepEqual(
    got.map((c) =>
      c.type === "function" &&
      ({ name: c.function.name, arguments: JSON.parse(c.function.arguments) })
    ),
    records,
  );
  assert.ok(got.every((c) => /^call_/.test(c.id)));

  const stream = await openai.chat.completions.create({
    model: MODEL,
    messages: [{ role: "user", content: QUESTION }],
    tools: OPENAI_TOOLS,
    stream: true,
  });
  const assembled: { id: string; name: string; arguments: string }[] = [];
  let finish: string | null = null;
  for await (const event of stream) {
    for (const delta of event.choices[0]?.delta.tool_calls ?? []) {
      const call = assembled[delta.index] ??= { id: "", name: "", arguments: "" };
      call.id += delta.id ?? "";
      call.name += delta.function?.name ?? "";
      call.arguments += delta.function?.arguments ?? "";
    }
    finish = event.choices[0]?.finish_reason ?? finish;
  }
  assert.equal(finish, "tool_calls");
  assert.deepEqual(
    assembled.map((c) => ({ name: c.name, arguments: JSON.parse(c.arguments) })),
    records,
  );

  const answer = await openai.chat.completions.create({
    model: MODEL,
    tools: OPENAI_TOOLS,
    messages: [
      { role: "user", content: QUESTION },
      {
        role: "assistant",
        content: null,
        tool_calls: assembled.map((c) => ({
          id: c.id,
          type: "function" as const,
          function: { name: c.name, arguments: c.arguments },
        })),
      },
      ...assembled.map((c) => ({
        role: "tool" as const,
        content: `result of ${c.name}`,
        tool_call_id: c.id,
      })),
    ],
  });
  assert.equal(answer.choices[0].message.content, expectedAnswer(MODEL, withResults(records)));
  assert.equal(answer.choices[0].finish_reason, "stop");
});

Deno.test("tool_choice and parallel_tool_calls reach the host", async () => {
  await using mesh = await serveMesh([{ id: "host", double: { models: [MODEL] } }, {
    id: "client",
  }]);
  const openai = new OpenAI({ baseURL: `${mesh.url}/v1`, apiKey: "x", maxRetries: 0 });
  const ask = (extra: Record<string, unknown>) =>
    openai.chat.completions.create({
      model: MODEL,
      messages: [{ role: "user", content: QUESTION }],
      tools: OPENAI_TOOLS,
      ...extra,
    });
  const none = await ask({ tool_choice: "none" });
  assert.equal(none.choices[0].message.tool_calls, undefined);
  const single = await ask({ parallel_tool_calls: false });
  assert.deepEqual(
    single.choices[0].message.tool_calls?.map((c) => c.type === "function" && c.function.name),
    ["get_weather"],
  );
  const named = await ask({ tool_choice: { type: "function", function: { name: "get_time" } } });
  assert.deepEqual(
    named.choices[0].message.tool_calls?.map((c) => c.type === "function" && c.function.name),
    ["get_time"],
  );
});

Deno.test("a host failing after a streamed tool call: the next host makes only the remaining calls", async () => {
  await using mesh = await serveMesh([
    {
      id: "a",
      double: { models: [MODEL], fault: { kind: "closeMidStream", afterTokens: 1, times: 1 } },
    },
    { id: "b", double: { models: [MODEL] } },
    { id: "client" },
  ]);
  // a answers first (it has the fault), b takes over
  const ollama = new Ollama({ host: mesh.url, headers: { "x-neuromesh-prefer-host": "a" } });
  const calls = expected();
  const streamed = [];
  const hosts = new Set<string>();
  for await (
    const part of await ollama.chat({
      model: MODEL,
      messages: question,
      tools: TOOLS,
      stream: true,
    })
  ) {
    streamed.push(...(part.message.tool_calls ?? []));
    // deno-lint-ignore no-explicit-any
    const trailer = (part as any).neuromesh;
    if (trailer) { for (const h of trailer.hosts) hosts.add(h.nodeId); }
  }
  assert.deepEqual(streamed, calls.map(ollamaToolCall), "each call once, in order");
  assert.deepEqual([...hosts].sort(), ["a", "b"]);
  const continued = mesh.fixture.node("a").double!.continued +
    mesh.fixture.node("b").double!.continued;
  assert.equal(continued, 1, "the second host was asked to continue after the delivered call");
});

Deno.test("structured outputs: Ollama format and OpenAI response_format reach the host", async () => {
  await using mesh = await serveMesh([{ id: "host", double: { models: [MODEL] } }, {
    id: "client",
  }]);
  const schema = {
    type: "object",
    properties: { name: { type: "string" }, age: { type: "integer" } },
    required: ["name", "age"],
  };
  const ollama = new Ollama({ host: mesh.url });
  const messages = [{ role: "user", content: "who are you" }];
  const withSchema = await ollama.chat({ model: MODEL, messages, format: schema });
  assert.equal(withSchema.message.content, expectedStructuredAnswer(MODEL, messages, schema));
  const json = await ollama.chat({ model: MODEL, messages, format: "json" });
  assert.equal(json.message.content, expectedStructuredAnswer(MODEL, messages, "json"));

  const openai = new OpenAI({ baseURL: `${mesh.url}/v1`, apiKey: "x", maxRetries: 0 });
  const object = await openai.chat.completions.create({
    model: MODEL,
    messages: [{ role: "user", content: "who are you" }],
    response_format: { type: "json_object" },
  });
  assert.equal(
    object.choices[0].message.content,
    expectedStructuredAnswer(MODEL, messages, "json"),
  );
  const typed = await openai.chat.completions.create({
    model: MODEL,
    messages: [{ role: "user", content: "who are you" }],
    response_format: { type: "json_schema", json_schema: { name: "person", schema } },
  });
  assert.equal(typed.choices[0].message.content, expectedStructuredAnswer(MODEL, messages, schema));
});
