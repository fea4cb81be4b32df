import assert from "node:assert/strict";
import { Ollama } from "ollama";
import OpenAI from "openai";
import { expectedAnswer } from "../../tests/ollama_double/answer.ts";
import { type ChatChunk, ChatError, type ChatRequest, type ServedBy } from "../llm/chat.ts";
import type { MeshLlmApi } from "../llm/mesh_llm.ts";
import type { MeshModel } from "../llm/mesh_model.ts";
import { TestMesh } from "../../tests/support/llm_mesh.ts";
import { APP_VERSION } from "../version.ts";
import { llmRoutes } from "./llm_routes.ts";

const A: ServedBy = { nodeId: "NODEA", nodeName: "alpha", model: "llama3.2:latest" };
const B: ServedBy = { nodeId: "NODEB", nodeName: "béta", model: "llama3.2:latest" };
const IDENTITY = { nodeId: "SELF", name: "self" };

const MODELS: MeshModel[] = [{
  name: "llama3.2:latest",
  size: 2_019_393_189,
  family: "llama",
  parameterSize: "3.2B",
  quantization: "Q4_K_M",
  digest: "a80c4f17acd5",
  modifiedAt: "2025-01-01T00:00:00.000Z",
  hosts: [
    {
      nodeId: "NODEA",
      name: "alpha",
      local: false,
      inFlight: 1,
      capacity: 2,
      queued: 0,
      healthy: true,
    },
    {
      nodeId: "NODEB",
      name: "béta",
      local: false,
      inFlight: 0,
      capacity: 2,
      queued: 0,
      healthy: true,
    },
  ],
}];

/** A ChatService that plays a script and records what it was asked. */
class FakeLlm implements MeshLlmApi {
  readonly requests: ChatRequest[] = [];
  signal: AbortSignal | undefined;
  readonly hasLlm = false;
  constructor(private readonly script: (ChatChunk | Error)[], private readonly delayMs = 0) {}
  models(): MeshModel[] {
    return MODELS;
  }
  backendVersion(): string | undefined {
    return "0.12.6";
  }
  async *chat(request: ChatRequest, signal?: AbortSignal): AsyncIterable<ChatChunk> {
    this.requests.push(request);
    this.signal = signal;
    for (const step of this.script) {
      if (this.delayMs) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
      signal?.throwIfAborted();
      if (step instanceof Error) throw step;
      yield step;
    }
  }
}

const piece = (content: string, servedBy = A, extra: Partial<ChatChunk> = {}): ChatChunk => ({
  content,
  done: false,
  servedBy,
  ...extra,
});
const done = (servedBy = A): ChatChunk => ({
  content: "",
  done: true,
  servedBy,
  doneReason: "stop",
  stats: { promptEvalCount: 7, evalCount: 3, evalDurationNs: 1_000_000, loadDurationNs: 5 },
});

const HELLO_SCRIPT = [piece("Hel"), piece("lo"), piece("!", B, { failedOverFrom: A }), done(B)];

function app(fake: FakeLlm) {
  return llmRoutes({ llm: fake, identity: IDENTITY });
}

const post = (body: unknown, headers: Record<string, string> = {}) => ({
  method: "POST",
  headers: { "Content-Type": "application/json", ...headers },
  body: typeof body === "string" ? body : JSON.stringify(body),
});

const lines = (text: string) => text.trim().split("\n").map((line) => JSON.parse(line));
const events = (text: string) =>
  text.trim().split("\n\n").map((block) => block.replace(/^data: /, "")).map((data) =>
    data === "[DONE]" ? data : JSON.parse(data)
  );

Deno.test("POST /api/chat streams NDJSON with the first host in headers and all hosts at the end", async () => {
  const fake = new FakeLlm(HELLO_SCRIPT);
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
  const objects = lines(await response.text());
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
  });
  assert.equal(fake.requests[0].model, "llama3.2");
  assert.equal(fake.requests[0].conversationId, "conv-1");
  assert.equal(fake.requests[0].preferredHost, "NODEB");
});

Deno.test("POST /api/chat with stream:false answers one object with the whole text", async () => {
  const response = await app(new FakeLlm(HELLO_SCRIPT)).request(
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
  const fake = new FakeLlm(HELLO_SCRIPT);
  const response = await app(fake).request(
    "/api/generate",
    post({
      model: "llama3.2",
      system: "be brief",
      prompt: "hi",
      options: { temperature: 0 },
    }),
  );
  const objects = lines(await response.text());
  assert.deepEqual(objects.map((o) => o.response), ["Hel", "lo", "!", ""]);
  assert.deepEqual(fake.requests[0].messages, [{ role: "system", content: "be brief" }, {
    role: "user",
    content: "hi",
  }]);
  assert.deepEqual(fake.requests[0].options, { temperature: 0 });
  const whole = await app(new FakeLlm(HELLO_SCRIPT)).request(
    "/api/generate",
    post({ model: "llama3.2", prompt: "hi", stream: false }),
  );
  assert.equal((await whole.json()).response, "Hello!");
});

Deno.test("POST /api/chat without messages answers Ollama's load object for a known model", async () => {
  const fake = new FakeLlm([]);
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

Deno.test("mesh API refusals map to 400/429/503 in each API's error shape", async () => {
  const cases: [ChatError, number][] = [
    [new ChatError("over 100 requests per minute", "rate_limited"), 429],
    [new ChatError("all hosts busy", "busy"), 429],
    [new ChatError('model "x" is not available on the mesh', "no_host"), 503],
    [new ChatError("bad options", "bad_request"), 400],
  ];
  for (const [error, status] of cases) {
    const ollama = await app(new FakeLlm([error])).request(
      "/api/chat",
      post({ model: "x", messages: [{ role: "user", content: "hi" }] }),
    );
    assert.equal(ollama.status, status);
    assert.deepEqual(await ollama.json(), { error: error.message });
    assert.equal(ollama.headers.get("x-neuromesh-host"), "SELF");
    const openai = await app(new FakeLlm([error])).request(
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
  const notJson = await app(new FakeLlm([])).request("/api/chat", post("{nope"));
  assert.equal(notJson.status, 400);
  assert.deepEqual(await notJson.json(), { error: "request body must be valid JSON" });
  const badRole = await app(new FakeLlm([])).request(
    "/api/chat",
    post({ model: "m", messages: [{ role: "wizard", content: "x" }] }),
  );
  assert.equal(badRole.status, 400);
  assert.match((await badRole.json()).error, /^messages\.0\.role: /);
  const tools = await app(new FakeLlm([])).request(
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
  assert.equal(toolsBody.error.param, "tools");
  assert.match(toolsBody.error.message, /tools are not supported through the mesh/);
  const imageUrl = await app(new FakeLlm([])).request(
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
  const fake = new FakeLlm([piece("Hel"), new ChatError("every host failed", "no_host")]);
  const ollama = await app(fake).request(
    "/api/chat",
    post({ model: "m", messages: [{ role: "user", content: "hi" }] }),
  );
  assert.equal(ollama.status, 200);
  assert.deepEqual(lines(await ollama.text()).at(-1), { error: "every host failed" });
  const openai = await app(
    new FakeLlm([piece("Hel"), new ChatError("every host failed", "no_host")]),
  ).request(
    "/v1/chat/completions",
    post({
      model: "m",
      stream: true,
      messages: [{ role: "user", content: "hi" }],
    }),
  );
  const last = events(await openai.text()).at(-1);
  assert.equal(last.error.message, "every host failed");
  assert.equal(last.error.type, "server_error");
});

Deno.test("POST /v1/chat/completions streams SSE chunks, usage, then [DONE]", async () => {
  const fake = new FakeLlm(HELLO_SCRIPT);
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
  const all = events(await response.text());
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
  const response = await app(new FakeLlm(HELLO_SCRIPT)).request(
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

Deno.test("model listings: /api/tags, /api/show, /api/ps, /v1/models, /api/mesh/models, /api/version", async () => {
  const routes = app(new FakeLlm([]));
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
  const v1 = await (await routes.request("/v1/models")).json();
  assert.deepEqual(v1, {
    object: "list",
    data: [{ id: "llama3.2:latest", object: "model", created: 1735689600, owned_by: "neuromesh" }],
  });
  const one = await routes.request("/v1/models/llama3.2:latest");
  assert.equal((await one.json()).id, "llama3.2:latest");
  assert.equal((await routes.request("/v1/models/missing")).status, 404);
  const mesh = await routes.request("/api/mesh/models");
  assert.deepEqual((await mesh.json()).models, MODELS);
  assert.equal(mesh.headers.get("x-neuromesh-host"), "SELF");
  assert.deepEqual(await (await routes.request("/api/version")).json(), { version: "0.12.6" });
});

Deno.test("non-ASCII node names are percent-encoded in headers", async () => {
  const response = await app(new FakeLlm([piece("x", B), done(B)])).request(
    "/api/chat",
    post({ model: "m", messages: [{ role: "user", content: "hi" }] }),
  );
  assert.equal(response.headers.get("x-neuromesh-host-name"), "b%C3%A9ta");
  await response.body?.cancel();
});

Deno.test("a client that stops reading aborts the chat upstream", async () => {
  const script = [piece("a"), ...Array.from({ length: 50 }, () => piece("b")), done()];
  const fake = new FakeLlm(script, 5);
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

async function serveMesh() {
  const fixture = await TestMesh.create([{ id: "host", double: { models: [MODEL], tokens: 12 } }, {
    id: "client",
  }]);
  const routes = llmRoutes({
    llm: fixture.node("client").llm,
    identity: { nodeId: "client", name: "node-client" },
  });
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, routes.fetch);
  const url = `http://127.0.0.1:${server.addr.port}`;
  return {
    fixture,
    url,
    async [Symbol.asyncDispose]() {
      await server.shutdown();
      await fixture.close();
    },
  };
}

Deno.test("the ollama npm client works against the mesh API unchanged", async () => {
  await using mesh = await serveMesh();
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
  await using mesh = await serveMesh();
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
  await using mesh = await serveMesh();
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
