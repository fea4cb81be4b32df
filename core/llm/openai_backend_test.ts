import assert from "node:assert/strict";
import { expectedAnswer } from "../../tests/ollama_double/answer.ts";
import { BackendError } from "./backend.ts";
import { OpenAiBackend, toOpenAiParameters, withToolCallIds } from "./openai_backend.ts";
import { serveMesh } from "../../tests/support/llm_mesh_server.ts";

const MODEL = "tinyllama:1.1b";
const messages = [{ role: "user" as const, content: "hi" }];

/** An OpenAI-compatible server to talk to: a node's mesh API over an Ollama double. */
function openAiServer(tokens = 8, tokenLatencyMs = 0) {
  return serveMesh([{ id: "host", double: { models: [MODEL], tokens, tokenLatencyMs } }], "host");
}

Deno.test("toOpenAiParameters() maps Ollama options and format", () => {
  assert.deepEqual(
    toOpenAiParameters({
      model: "m",
      messages,
      options: { temperature: 0.1, num_predict: 64, stop: ["x"], num_ctx: 4096 },
      format: "json",
    }),
    { temperature: 0.1, stop: ["x"], max_tokens: 64, response_format: { type: "json_object" } },
  );
});

Deno.test("OpenAiBackend lists models and streams an answer with usage", async () => {
  await using server = await openAiServer();
  const backend = new OpenAiBackend({ url: `${server.url}/v1/` });
  assert.equal(backend.description, `openai ${server.url}/v1`);
  assert.deepEqual((await backend.listModels()).map((m) => m.name), [MODEL]);
  const chunks = [];
  for await (
    const chunk of backend.chat({ model: MODEL, messages }, new AbortController().signal)
  ) chunks.push(chunk);
  assert.equal(chunks.map((c) => c.content).join(""), expectedAnswer(MODEL, messages, 8));
  const last = chunks.at(-1)!;
  assert.equal(last.done, true);
  assert.equal(last.doneReason, "stop");
  assert.equal(last.stats?.evalCount, 8);
});

Deno.test("OpenAiBackend reports an unknown model as BackendError with the status", async () => {
  await using server = await openAiServer();
  const backend = new OpenAiBackend({ url: server.url });
  await assert.rejects(async () => {
    for await (
      const _ of backend.chat({ model: "missing:1b", messages }, new AbortController().signal)
    ) { /**/ }
  }, (error: unknown) => error instanceof BackendError && error.status === 503);
});

Deno.test("OpenAiBackend.chat() aborted mid-stream stops the generation behind the server", async () => {
  await using server = await openAiServer(400, 10);
  const backend = new OpenAiBackend({ url: server.url });
  const abort = new AbortController();
  let received = 0;
  await assert.rejects(async () => {
    for await (const _ of backend.chat({ model: MODEL, messages }, abort.signal)) {
      if (++received === 2) abort.abort(new Error("stop now"));
    }
  }, /stop now/);
  await server.fixture.node("host").double!.waitFor((s) => s.cancelled === 1);
});

Deno.test("withToolCallIds() gives each tool result the id of the call it answers", () => {
  const weather = { id: "call_w", name: "get_weather", arguments: { city: "Oslo" } };
  const time = { id: "call_t", name: "get_time", arguments: {} };
  const ask = { role: "user" as const, content: "weather and time?" };
  const calls = { role: "assistant" as const, content: "", toolCalls: [weather, time] };
  // the ollama client: by tool_name, in any order
  assert.deepEqual(
    withToolCallIds([
      ask,
      calls,
      { role: "tool", content: "14:05", toolName: "get_time" },
      { role: "tool", content: "snow", toolName: "get_weather" },
    ]).slice(2).map((t) => t.toolCallId),
    ["call_t", "call_w"],
  );
  // LangChain, the AI SDK: neither name nor id, so by position
  const unnamed = withToolCallIds([
    ask,
    calls,
    { role: "tool", content: "snow" },
    { role: "tool", content: "14:05" },
  ]);
  assert.deepEqual(unnamed.slice(2).map((t) => t.toolCallId), ["call_w", "call_t"]);
  // an id given is kept and that call is answered; calls without ids get call_N
  const mixed = withToolCallIds([
    ask,
    { role: "assistant", content: "", toolCalls: [{ name: "a", arguments: {} }, time] },
    { role: "tool", content: "t", toolCallId: "call_t" },
    { role: "tool", content: "a" },
    { role: "tool", content: "extra" },
  ]);
  assert.deepEqual(mixed[1].toolCalls?.map((c) => c.id), ["call_0", "call_t"]);
  assert.deepEqual(mixed.slice(2).map((t) => t.toolCallId), ["call_t", "call_0", undefined]);
  // a later assistant turn opens its own calls
  const again = withToolCallIds([
    ask,
    calls,
    { role: "tool", content: "snow", toolName: "get_weather" },
    { role: "tool", content: "14:05", toolName: "get_time" },
    { role: "assistant", content: "", toolCalls: [{ ...weather, id: "call_w2" }] },
    { role: "tool", content: "rain", toolName: "get_weather" },
  ]);
  assert.equal(again.at(-1)?.toolCallId, "call_w2");
  // turns without tools pass unchanged
  assert.deepEqual(withToolCallIds([ask]), [ask]);
});
