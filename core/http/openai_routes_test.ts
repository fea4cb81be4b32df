import assert from "node:assert/strict";
import { HELLO_SCRIPT, ScriptedLlm } from "../llm/testing/scripted_llm.ts";
import { openAiRoutes } from "./openai_routes.ts";
import { post, SELF, sseData } from "./testing/llm_requests.ts";

const app = (llm: ScriptedLlm) => openAiRoutes({ llm, ...SELF });

Deno.test("POST /v1/chat/completions streams SSE chunks, usage, then [DONE]", async () => {
  const fake = new ScriptedLlm(HELLO_SCRIPT);
  const response = await app(fake).request(
    "/v1/chat/completions",
    post({
      model: "llama3.2",
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 50,
      temperature: 0.2,
      stop: "END",
      response_format: { type: "json_object" },
      messages: [{ role: "developer", content: "terse" }, {
        role: "user",
        content: [{ type: "text", text: "hi" }],
      }],
    }),
  );
  assert.equal(response.headers.get("content-type"), "text/event-stream");
  assert.equal(response.headers.get("x-neuromesh-host"), "NODEA");
  const all = sseData(await response.text());
  assert.equal(all.at(-1), "[DONE]");
  const chunks = all.slice(0, -1);
  assert.ok(chunks.every((c) => c.object === "chat.completion.chunk" && c.id === chunks[0].id));
  assert.equal(chunks[0].choices[0].delta.role, "assistant");
  assert.deepEqual(chunks.slice(0, 3).map((c) => c.choices[0].delta.content), ["Hel", "lo", "!"]);
  assert.equal(chunks[3].choices[0].finish_reason, "stop");
  assert.deepEqual(chunks[4].choices, []);
  assert.deepEqual(chunks[4].usage, { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 });
  assert.equal(chunks[4].neuromesh.failedOver, true);
  const request = fake.requests[0];
  assert.deepEqual(request.messages, [{ role: "system", content: "terse" }, {
    role: "user",
    content: "hi",
  }]);
  assert.deepEqual(request.options, { temperature: 0.2, num_predict: 50, stop: ["END"] });
  assert.equal(request.format, "json");
});

Deno.test("POST /v1/chat/completions without stream answers a chat.completion", async () => {
  const response = await app(new ScriptedLlm(HELLO_SCRIPT)).request(
    "/v1/chat/completions",
    post({
      model: "llama3.2",
      messages: [{ role: "user", content: "hi" }],
    }),
  );
  const body = await response.json();
  assert.equal(body.object, "chat.completion");
  assert.match(body.id, /^chatcmpl-/);
  assert.deepEqual(body.choices, [{
    index: 0,
    message: { role: "assistant", content: "Hello!" },
    finish_reason: "stop",
  }]);
  assert.deepEqual(body.usage, { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 });
  assert.equal(body.model, "llama3.2:latest");
});

Deno.test("model listings: /v1/models and /v1/models/<id>", async () => {
  const routes = app(new ScriptedLlm([]));
  const v1 = await (await routes.request("/v1/models")).json();
  assert.deepEqual(v1, {
    object: "list",
    data: [{ id: "llama3.2:latest", object: "model", created: 1735689600, owned_by: "neuromesh" }],
  });
  const one = await routes.request("/v1/models/llama3.2:latest");
  assert.equal((await one.json()).id, "llama3.2:latest");
  assert.equal((await routes.request("/v1/models/missing")).status, 404);
});
