import assert from "node:assert/strict";
import { Ollama } from "ollama";
import OpenAI from "openai";
import { expectedEmbedding } from "../../tests/ollama_double/embeddings.ts";
import { serveMesh } from "../../tests/support/llm_mesh_server.ts";
import { ChatError } from "../llm/chat.ts";
import { decodeVector } from "../llm/embed_batch.ts";
import { ScriptedLlm } from "../llm/testing/scripted_llm.ts";
import { llmRoutes } from "./llm_routes.ts";
import { post, SELF } from "./testing/llm_requests.ts";

const app = (llm: ScriptedLlm) => llmRoutes({ llm, ...SELF });

Deno.test("POST /api/embed maps single and batched input, truncate, dimensions, keep_alive", async () => {
  const llm = new ScriptedLlm([]);
  const one = await app(llm).request("/api/embed", post({ model: "m", input: "hello" }));
  assert.equal(one.status, 200);
  assert.deepEqual(await one.json(), {
    model: "m",
    embeddings: [[5, 0]],
    total_duration: 0,
    load_duration: 0,
    prompt_eval_count: 1,
  });
  assert.equal(one.headers.get("x-neuromesh-host"), "NODEA");
  const many = await app(llm).request(
    "/api/embed",
    post({ model: "m", input: ["a", "bb"], truncate: false, dimensions: 8, keep_alive: "1m" }),
  );
  assert.deepEqual((await many.json()).embeddings, [[1, 0], [2, 1]]);
  assert.deepEqual(llm.embedRequests[1], {
    model: "m",
    inputs: ["a", "bb"],
    truncate: false,
    dimensions: 8,
    keepAlive: "1m",
    options: undefined,
  });
  const empty = await app(llm).request("/api/embed", post({ model: "m", input: "" }));
  assert.deepEqual((await empty.json()).embeddings, []);
});

Deno.test("POST /api/embeddings answers one embedding for the prompt", async () => {
  const llm = new ScriptedLlm([]);
  const res = await app(llm).request("/api/embeddings", post({ model: "m", prompt: "abc" }));
  assert.deepEqual(await res.json(), { embedding: [3, 0] });
  assert.deepEqual(llm.embedRequests[0].inputs, ["abc"]);
});

Deno.test("POST /v1/embeddings answers a list in float or base64, with usage", async () => {
  const llm = new ScriptedLlm([]);
  llm.embedAnswer = (r) => ({
    model: r.model,
    embeddings: r.inputs.map((_, i) => [0.5, i]),
    promptTokens: 4,
    servedBy: { nodeId: "H", nodeName: "h", model: r.model },
  });
  const float = await app(llm).request("/v1/embeddings", post({ model: "m", input: ["a", "b"] }));
  assert.deepEqual(await float.json(), {
    object: "list",
    data: [
      { object: "embedding", index: 0, embedding: [0.5, 0] },
      { object: "embedding", index: 1, embedding: [0.5, 1] },
    ],
    model: "m",
    usage: { prompt_tokens: 4, total_tokens: 4 },
  });
  const b64 = await app(llm).request(
    "/v1/embeddings",
    post({ model: "m", input: "a", encoding_format: "base64" }),
  );
  const body = await b64.json();
  assert.deepEqual(decodeVector(body.data[0].embedding), [0.5, 0]);
});

Deno.test("embedding bodies that are wrong get a 400 naming the field, in each API's shape", async () => {
  const cases: [string, unknown, string][] = [
    ["/api/embed", { input: "x" }, "model"],
    ["/api/embed", { model: "m", input: [1] }, "input"],
    ["/api/embed", { model: "m", input: "x", dimensions: -1 }, "dimensions"],
    ["/api/embed", { model: "m", input: "x", truncate: "yes" }, "truncate"],
    ["/api/embeddings", { model: "m", prompt: 5 }, "prompt"],
    ["/v1/embeddings", { model: "m", input: [[1, 2]] }, "input"],
    ["/v1/embeddings", { model: "m", input: "" }, "input"],
    ["/v1/embeddings", { model: "m", input: "x", encoding_format: "int8" }, "encoding_format"],
    ["/v1/embeddings", { input: "x" }, "model"],
  ];
  for (const [path, body, field] of cases) {
    const llm = new ScriptedLlm([]);
    const res = await app(llm).request(path, post(body));
    assert.equal(res.status, 400, `${path} ${JSON.stringify(body)}`);
    const json = await res.json();
    if (path.startsWith("/v1/")) {
      assert.equal(json.error.type, "invalid_request_error");
      assert.equal(json.error.param, field, JSON.stringify(json));
    } else {
      assert.match(json.error, new RegExp(`^${field}`), JSON.stringify(json));
    }
    assert.equal(llm.embedRequests.length, 0);
  }
  const notJson = await app(new ScriptedLlm([])).request("/api/embed", post("{"));
  assert.equal(notJson.status, 400);
});

Deno.test("embedding refusals map to 400/429/503 in each API's error shape", async () => {
  const cases: [ChatError, number][] = [
    [new ChatError('"m" does not support embedding', "bad_request"), 400],
    [new ChatError("over 100 requests per minute", "rate_limited"), 429],
    [new ChatError("all hosts busy", "busy"), 429],
    [new ChatError('model "m" is not available on the mesh', "no_host"), 503],
  ];
  for (const [error, status] of cases) {
    const llm = new ScriptedLlm([]);
    llm.embedAnswer = () => error;
    const ollama = await app(llm).request("/api/embed", post({ model: "m", input: "x" }));
    assert.equal(ollama.status, status);
    assert.deepEqual(await ollama.json(), { error: error.message });
    const openai = await app(llm).request("/v1/embeddings", post({ model: "m", input: "x" }));
    assert.equal(openai.status, status);
    assert.equal((await openai.json()).error.message, error.message);
  }
});

Deno.test("the ollama and openai clients embed through a node without a backend", async () => {
  const MODEL = "nomic-embed-text:latest";
  await using mesh = await serveMesh([{ id: "host", double: { models: [MODEL] } }, {
    id: "client",
  }]);
  const url = mesh.url;
  const inputs = ["first text", "second text", "third"];
  const want = inputs.map((t) => expectedEmbedding(MODEL, t, 768));

  const ollama = new Ollama({ host: url });
  const embed = await ollama.embed({ model: "nomic-embed-text", input: inputs });
  assert.deepEqual(embed.embeddings, want);
  const old = await ollama.embeddings({ model: MODEL, prompt: "first text" });
  assert.deepEqual(old.embedding, want[0]);

  const openai = new OpenAI({ baseURL: `${url}/v1`, apiKey: "x", maxRetries: 0 });
  const floats = await openai.embeddings.create({
    model: MODEL,
    input: inputs,
    encoding_format: "float",
  });
  assert.deepEqual(floats.data.map((d) => d.embedding), want);
  const b64 = await openai.embeddings.create({ model: MODEL, input: inputs });
  assert.deepEqual(b64.data.map((d) => d.embedding), want);
});
