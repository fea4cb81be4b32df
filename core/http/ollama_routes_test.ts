import assert from "node:assert/strict";
import {
  finalChunk,
  HELLO_SCRIPT,
  HOST_B,
  piece,
  ScriptedLlm,
} from "../llm/testing/scripted_llm.ts";
import { ollamaRoutes } from "./ollama_routes.ts";
import { ndjsonLines, post, SELF } from "./testing/llm_requests.ts";

const app = (llm: ScriptedLlm) => ollamaRoutes({ llm, ...SELF });

Deno.test("POST /api/chat streams NDJSON with the first host in headers and all hosts at the end", async () => {
  const fake = new ScriptedLlm(HELLO_SCRIPT);
  const response = await app(fake).request(
    "/api/chat",
    post({ model: "llama3.2", messages: [{ role: "user", content: "hi" }] }, {
      "X-NeuroMesh-Conversation": "conv-1",
      "X-NeuroMesh-Prefer-Host": "NODEB",
    }),
  );
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("content-type"), "application/x-ndjson");
  assert.equal(response.headers.get("x-neuromesh-host"), "NODEA");
  assert.equal(response.headers.get("x-neuromesh-host-name"), "alpha");
  assert.equal(response.headers.get("x-neuromesh-model"), "llama3.2:latest");
  const objects = ndjsonLines(await response.text());
  assert.deepEqual(objects.map((o) => o.message.content), ["Hel", "lo", "!", ""]);
  assert.deepEqual(objects.map((o) => o.done), [false, false, false, true]);
  const last = objects.at(-1);
  assert.equal(last.done_reason, "stop");
  assert.equal(last.eval_count, 3);
  assert.equal(last.prompt_eval_count, 7);
  assert.equal(typeof last.total_duration, "number");
  assert.deepEqual(last.neuromesh, {
    hosts: [
      { nodeId: "NODEA", name: "alpha", model: "llama3.2:latest" },
      { nodeId: "NODEB", name: "béta", model: "llama3.2:latest" },
    ],
    failedOver: true,
    failovers: [{ nodeId: "NODEA", name: "alpha", reason: "error" }],
  });
  assert.equal(fake.requests[0].model, "llama3.2");
  assert.equal(fake.requests[0].conversationId, "conv-1");
  assert.equal(fake.requests[0].preferredHost, "NODEB");
});

Deno.test("POST /api/chat with stream:false answers one object with the whole text", async () => {
  const response = await app(new ScriptedLlm(HELLO_SCRIPT)).request(
    "/api/chat",
    post({
      model: "llama3.2",
      stream: false,
      messages: [{ role: "user", content: "hi" }],
    }),
  );
  assert.equal(response.status, 200);
  const body = await response.json();
  assert.equal(body.message.content, "Hello!");
  assert.equal(body.message.role, "assistant");
  assert.equal(body.done, true);
  assert.equal(body.model, "llama3.2:latest");
  assert.equal(response.headers.get("x-neuromesh-host"), "NODEA");
});

Deno.test("POST /api/generate maps system+prompt to a chat and streams `response` fields", async () => {
  const fake = new ScriptedLlm(HELLO_SCRIPT);
  const response = await app(fake).request(
    "/api/generate",
    post({
      model: "llama3.2",
      system: "be brief",
      prompt: "hi",
      options: { temperature: 0 },
    }),
  );
  const objects = ndjsonLines(await response.text());
  assert.deepEqual(objects.map((o) => o.response), ["Hel", "lo", "!", ""]);
  assert.deepEqual(fake.requests[0].messages, [{ role: "system", content: "be brief" }, {
    role: "user",
    content: "hi",
  }]);
  assert.deepEqual(fake.requests[0].options, { temperature: 0 });
  const whole = await app(new ScriptedLlm(HELLO_SCRIPT)).request(
    "/api/generate",
    post({ model: "llama3.2", prompt: "hi", stream: false }),
  );
  assert.equal((await whole.json()).response, "Hello!");
});

Deno.test("POST /api/chat without messages answers Ollama's load object for a known model", async () => {
  const fake = new ScriptedLlm([]);
  const response = await app(fake).request("/api/chat", post({ model: "llama3.2" }));
  const body = await response.json();
  assert.equal(body.done_reason, "load");
  assert.equal(body.model, "llama3.2:latest");
  assert.equal(fake.requests.length, 0);
  const unknown = await app(fake).request(
    "/api/generate",
    post({ model: "nope" }),
  );
  assert.equal(unknown.status, 503);
});

Deno.test("non-ASCII node names are percent-encoded in headers", async () => {
  const response = await app(new ScriptedLlm([piece("x", HOST_B), finalChunk(HOST_B)])).request(
    "/api/chat",
    post({ model: "m", messages: [{ role: "user", content: "hi" }] }),
  );
  assert.equal(response.headers.get("x-neuromesh-host-name"), "b%C3%A9ta");
  await response.body?.cancel();
});

Deno.test("model listings: /api/tags, /api/show, /api/ps, /api/version", async () => {
  const routes = app(new ScriptedLlm([]));
  const tags = await (await routes.request("/api/tags")).json();
  assert.deepEqual(tags.models[0], {
    name: "llama3.2:latest",
    model: "llama3.2:latest",
    modified_at: "2025-01-01T00:00:00.000Z",
    size: 2_019_393_189,
    digest: "a80c4f17acd5",
    details: {
      parent_model: "",
      format: "gguf",
      family: "llama",
      families: ["llama"],
      parameter_size: "3.2B",
      quantization_level: "Q4_K_M",
    },
    hosts: [{ id: "NODEA", name: "alpha", local: false }, {
      id: "NODEB",
      name: "béta",
      local: false,
    }],
  });
  const show = await routes.request("/api/show", post({ model: "llama3.2" }));
  assert.equal((await show.json()).details.family, "llama");
  assert.equal(
    (await routes.request("/api/show", post({ model: "nope" }))).status,
    404,
  );
  const ps = await (await routes.request("/api/ps")).json();
  assert.deepEqual(ps.models[0].hosts, [{ id: "NODEA", name: "alpha", local: false }]);
  assert.deepEqual(await (await routes.request("/api/version")).json(), { version: "0.12.6" });
  assert.equal((await routes.request("/api/tags")).headers.get("x-neuromesh-host"), "SELF");
});
