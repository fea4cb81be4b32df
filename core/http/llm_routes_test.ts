import assert from "node:assert/strict";
import { Ollama } from "ollama";
import OpenAI from "openai";
import { expectedAnswer } from "../../tests/ollama_double/answer.ts";
import { serveMesh } from "../../tests/support/llm_mesh_server.ts";
import { ChatError } from "../llm/chat.ts";
import { finalChunk, piece, SCRIPTED_MODELS, ScriptedLlm } from "../llm/testing/scripted_llm.ts";
import { APP_VERSION } from "../version.ts";
import { LAZY_ROUTES, llmRoutes } from "./llm_routes.ts";
import { ndjsonLines, post, SELF, sseData } from "./testing/llm_requests.ts";

const app = (llm: ScriptedLlm) => llmRoutes({ llm, ...SELF });

Deno.test("GET /api/mesh/models lists every model with its hosts, naming this node", async () => {
  const mesh = await app(new ScriptedLlm([])).request("/api/mesh/models");
  assert.deepEqual((await mesh.json()).models, SCRIPTED_MODELS);
  assert.equal(mesh.headers.get("x-neuromesh-host"), "SELF");
});

Deno.test("mesh API refusals map to 400/429/503 in each API's error shape", async () => {
  const cases: [ChatError, number][] = [
    [new ChatError("over 100 requests per minute", "rate_limited"), 429],
    [new ChatError("all hosts busy", "busy"), 429],
    [new ChatError('model "x" is not available on the mesh', "no_host"), 503],
    [new ChatError("bad options", "bad_request"), 400],
  ];
  for (const [error, status] of cases) {
    const ollama = await app(new ScriptedLlm([error])).request(
      "/api/chat",
      post({ model: "x", messages: [{ role: "user", content: "hi" }] }),
    );
    assert.equal(ollama.status, status);
    assert.deepEqual(await ollama.json(), { error: error.message });
    assert.equal(ollama.headers.get("x-neuromesh-host"), "SELF");
    const openai = await app(new ScriptedLlm([error])).request(
      "/v1/chat/completions",
      post({ model: "x", messages: [{ role: "user", content: "hi" }] }),
    );
    assert.equal(openai.status, status);
    const body = await openai.json();
    assert.equal(body.error.message, error.message);
    assert.equal(typeof body.error.type, "string");
    assert.ok("param" in body.error && "code" in body.error);
  }
});

Deno.test("mesh API rejects malformed bodies with 400 naming the field", async () => {
  const notJson = await app(new ScriptedLlm([])).request("/api/chat", post("{nope"));
  assert.equal(notJson.status, 400);
  assert.deepEqual(await notJson.json(), { error: "request body must be valid JSON" });
  const badRole = await app(new ScriptedLlm([])).request(
    "/api/chat",
    post({ model: "m", messages: [{ role: "wizard", content: "x" }] }),
  );
  assert.equal(badRole.status, 400);
  assert.match((await badRole.json()).error, /^messages\.0\.role: /);
  const tools = await app(new ScriptedLlm([])).request(
    "/v1/chat/completions",
    post({
      model: "m",
      messages: [{ role: "user", content: "x" }],
      tools: [{}],
    }),
  );
  assert.equal(tools.status, 400);
  const toolsBody = await tools.json();
  assert.equal(toolsBody.error.type, "invalid_request_error");
  assert.equal(toolsBody.error.param, "tools.0.function");
  const badArguments = await app(new ScriptedLlm([])).request(
    "/v1/chat/completions",
    post({
      model: "m",
      messages: [{
        role: "assistant",
        content: null,
        tool_calls: [{ id: "c1", type: "function", function: { name: "f", arguments: "[1" } }],
      }],
    }),
  );
  assert.equal(badArguments.status, 400);
  const badArgumentsBody = await badArguments.json();
  assert.equal(badArgumentsBody.error.param, "messages.0.tool_calls.0.function.arguments");
  assert.match(badArgumentsBody.error.message, /JSON object/);
  const imageUrl = await app(new ScriptedLlm([])).request(
    "/v1/chat/completions",
    post({
      model: "m",
      messages: [{
        role: "user",
        content: [{ type: "image_url", image_url: { url: "https://x/y.png" } }],
      }],
    }),
  );
  assert.equal(imageUrl.status, 400);
  assert.equal((await imageUrl.json()).error.param, "messages.0.content.0.image_url");
});

Deno.test("a failure after the first chunk ends the stream with an error object", async () => {
  const fake = new ScriptedLlm([piece("Hel"), new ChatError("every host failed", "no_host")]);
  const ollama = await app(fake).request(
    "/api/chat",
    post({ model: "m", messages: [{ role: "user", content: "hi" }] }),
  );
  assert.equal(ollama.status, 200);
  assert.deepEqual(ndjsonLines(await ollama.text()).at(-1), { error: "every host failed" });
  const openai = await app(
    new ScriptedLlm([piece("Hel"), new ChatError("every host failed", "no_host")]),
  ).request(
    "/v1/chat/completions",
    post({
      model: "m",
      stream: true,
      messages: [{ role: "user", content: "hi" }],
    }),
  );
  const last = sseData(await openai.text()).at(-1);
  assert.equal(last.error.message, "every host failed");
  assert.equal(last.error.type, "server_error");
});

Deno.test("a client that stops reading aborts the chat upstream", async () => {
  const script = [piece("a"), ...Array.from({ length: 50 }, () => piece("b")), finalChunk()];
  const fake = new ScriptedLlm(script, 5);
  const response = await app(fake).request(
    "/api/chat",
    post({ model: "m", messages: [{ role: "user", content: "hi" }] }),
  );
  const reader = response.body!.getReader();
  await reader.read();
  await reader.cancel();
  assert.equal(fake.signal?.aborted, true);
});

// ---- real clients against the real mesh ----

const MODEL = "tinyllama:1.1b";

function twoNodes() {
  return serveMesh([{ id: "host", double: { models: [MODEL], tokens: 12 } }, { id: "client" }]);
}

Deno.test("the ollama npm client works against the mesh API unchanged", async () => {
  await using mesh = await twoNodes();
  const ollama = new Ollama({ host: mesh.url });
  const list = await ollama.list();
  assert.deepEqual(list.models.map((m) => m.name), [MODEL]);
  const messages = [{ role: "user", content: "hello mesh" }];
  let text = "";
  for await (const part of await ollama.chat({ model: MODEL, messages, stream: true })) {
    text += part.message.content;
  }
  assert.equal(text, expectedAnswer(MODEL, messages, 12));
  const whole = await ollama.chat({ model: MODEL, messages, stream: false });
  assert.equal(whole.message.content, expectedAnswer(MODEL, messages, 12));
  const generated = await ollama.generate({ model: MODEL, prompt: "hello mesh", stream: false });
  assert.equal(
    generated.response,
    expectedAnswer(MODEL, [{ role: "user", content: "hello mesh" }], 12),
  );
  // The serving node has no backend of its own: it reports the NeuroMesh version.
  assert.equal((await ollama.version()).version, APP_VERSION);
  await assert.rejects(
    () => ollama.chat({ model: "missing", messages }),
    /not available on the mesh/,
  );
});

Deno.test("the openai npm client works against the mesh API unchanged", async () => {
  await using mesh = await twoNodes();
  const openai = new OpenAI({ baseURL: `${mesh.url}/v1`, apiKey: "unused", maxRetries: 0 });
  const models = await openai.models.list();
  assert.deepEqual(models.data.map((m) => m.id), [MODEL]);
  const messages = [{ role: "user" as const, content: "hello mesh" }];
  const completion = await openai.chat.completions.create({ model: MODEL, messages });
  assert.equal(completion.choices[0].message.content, expectedAnswer(MODEL, messages, 12));
  assert.equal(completion.usage?.completion_tokens, 12);
  const stream = await openai.chat.completions.create({
    model: MODEL,
    messages,
    stream: true,
    stream_options: { include_usage: true },
  });
  let text = "";
  let usage;
  for await (const chunk of stream) {
    text += chunk.choices[0]?.delta?.content ?? "";
    usage ??= chunk.usage ?? undefined;
  }
  assert.equal(text, expectedAnswer(MODEL, messages, 12));
  assert.equal(usage?.completion_tokens, 12);
  const { response } = await openai.chat.completions.create({ model: MODEL, messages })
    .withResponse();
  assert.equal(response.headers.get("x-neuromesh-host"), "host");
  await assert.rejects(
    () => openai.chat.completions.create({ model: "missing", messages }),
    (error: unknown) => error instanceof OpenAI.APIError && error.status === 503,
  );
});

Deno.test("closing the HTTP connection mid-stream stops the host's generation", async () => {
  await using mesh = await twoNodes();
  mesh.fixture.node("host").double!.setTokens(500);
  mesh.fixture.node("host").double!.setTokenLatencyMs(10);
  const abort = new AbortController();
  const response = await fetch(`${mesh.url}/api/chat`, {
    ...post({ model: MODEL, messages: [{ role: "user", content: "long" }] }),
    signal: abort.signal,
  });
  const reader = response.body!.getReader();
  await reader.read();
  abort.abort();
  await reader.closed.catch(() => {});
  const stats = await mesh.fixture.node("host").double!.waitFor((s) => s.cancelled === 1);
  assert.ok(stats.tokensSent < 500);
});

Deno.test("every route of the lazily imported sub-apps is forwarded to them", async () => {
  const { ollamaRoutes } = await import("./ollama_routes.ts");
  const { embedRoutes } = await import("./embed_routes.ts");
  const { openAiRoutes } = await import("./openai_routes.ts");
  const deps = { llm: new ScriptedLlm([]), ...SELF };
  const declared = (sub: { routes: { method: string; path: string }[] }) =>
    sub.routes.map((r) => `${r.method} ${r.path}`).sort();
  const listed = (part: keyof typeof LAZY_ROUTES) =>
    LAZY_ROUTES[part].map(([method, path]) => `${method} ${path}`).sort();
  assert.deepEqual(declared(ollamaRoutes(deps)), listed("ollama"));
  assert.deepEqual(declared(embedRoutes(deps)), listed("embed"));
  // The OpenAI sub-app gets all of /v1 but embeddings.
  for (const route of declared(openAiRoutes(deps))) assert.match(route, /^[A-Z]+ \/v1\//);
});

Deno.test("a lazily imported sub-app's failures and unknown paths reach the node app's handlers", async () => {
  const { createApp } = await import("./app.ts");
  const { silentLogger } = await import("../log/logger.ts");
  const failing = new ScriptedLlm([]);
  failing.models = () => {
    throw new Error("boom");
  };
  const node = createApp([llmRoutes({ llm: failing, ...SELF })], silentLogger);
  const unknown = await node.request("/v1/nothing-here");
  assert.equal(unknown.status, 404);
  assert.deepEqual(await unknown.json(), { error: "no route for GET /v1/nothing-here" });
  const failed = await node.request("/api/tags");
  assert.equal(failed.status, 500);
  assert.deepEqual(await failed.json(), { error: "internal error" });
});
