/**
 * The contract every LlmBackend keeps, run against each: Ollama's API (the client, and the lazy
 * wrapper a node uses) and an OpenAI-compatible
 * server (the test double serving only `/v1/*`, as llama.cpp or vLLM do).
 */
import assert from "node:assert/strict";
import { expectedAnswer } from "../../tests/ollama_double/answer.ts";
import { type OllamaDoubleOptions, startOllamaDouble } from "../../tests/ollama_double/server.ts";
import { type BackendChunk, BackendError, type LlmBackend } from "./backend.ts";
import { LazyOllamaBackend } from "./lazy_ollama_backend.ts";
import { OllamaBackend } from "./ollama_backend.ts";
import { OpenAiBackend } from "./openai_backend.ts";

const MODEL = "tinyllama:1.1b";
const messages = [{ role: "user" as const, content: "why is the sky blue?" }];

const BACKENDS: {
  name: string;
  apis: OllamaDoubleOptions["apis"];
  create: (url: string) => LlmBackend;
}[] = [
  { name: "OllamaBackend", apis: ["ollama"], create: (url) => new OllamaBackend({ url }) },
  // What a node runs: the client loaded once the server answers.
  { name: "LazyOllamaBackend", apis: ["ollama"], create: (url) => new LazyOllamaBackend(url) },
  { name: "OpenAiBackend", apis: ["openai"], create: (url) => new OpenAiBackend({ url }) },
];

async function chatAll(
  backend: LlmBackend,
  request: Parameters<LlmBackend["chat"]>[0],
  signal = new AbortController().signal,
): Promise<BackendChunk[]> {
  const chunks: BackendChunk[] = [];
  for await (const chunk of backend.chat(request, signal)) chunks.push(chunk);
  return chunks;
}

const isBackendError = (status?: number) => (error: unknown) =>
  error instanceof BackendError && (status === undefined || error.status === status);

for (const { name, apis, create } of BACKENDS) {
  const serve = (options: OllamaDoubleOptions = {}) =>
    startOllamaDouble({ models: [MODEL], apis, ...options });

  Deno.test(`${name} lists the server's models by name and describes itself`, async () => {
    await using double = await serve();
    const backend = create(double.url);
    assert.deepEqual((await backend.listModels()).map((m) => m.name), [MODEL]);
    assert.match(backend.description, new RegExp(`${double.url}`));
  });

  Deno.test(`${name} streams the answer, then one final chunk with the token count`, async () => {
    await using double = await serve({ tokens: 6 });
    const chunks = await chatAll(create(double.url), { model: MODEL, messages });
    assert.equal(chunks.map((c) => c.content).join(""), expectedAnswer(MODEL, messages, 6));
    assert.deepEqual(chunks.map((c) => c.done), [...chunks.slice(1).map(() => false), true]);
    const last = chunks.at(-1)!;
    assert.equal(last.doneReason, "stop");
    assert.equal(last.stats?.evalCount, 6);
  });

  Deno.test(`${name} continues a partial answer given as the last assistant turn`, async () => {
    await using double = await serve({ tokens: 8 });
    const whole = expectedAnswer(MODEL, messages, 8);
    const partial = whole.slice(0, whole.indexOf(" ", 10));
    const chunks = await chatAll(create(double.url), {
      model: MODEL,
      messages: [...messages, { role: "assistant", content: partial }],
    });
    assert.equal(partial + chunks.map((c) => c.content).join(""), whole);
  });

  Deno.test(`${name} reports an unknown model as BackendError 404, a server error with its status`, async () => {
    await using double = await serve();
    const backend = create(double.url);
    await assert.rejects(
      () => chatAll(backend, { model: "missing:1b", messages }),
      isBackendError(404),
    );
    await double.setFault({ kind: "http500", times: 1 });
    await assert.rejects(() => chatAll(backend, { model: MODEL, messages }), isBackendError(500));
  });

  Deno.test(`${name} fails when the server is down or breaks off mid-stream`, async () => {
    await using double = await serve({ tokens: 20 });
    const backend = create(double.url);
    await double.setFault({ kind: "closeMidStream", afterTokens: 3, times: 1 });
    await assert.rejects(() => chatAll(backend, { model: MODEL, messages }), isBackendError());
    await double.setFault({ kind: "refuse" });
    await assert.rejects(() => backend.listModels());
  });

  Deno.test(`${name} stopped mid-stream stops the generation on the server`, async () => {
    await using double = await serve({ tokens: 400, tokenLatencyMs: 10 });
    const abort = new AbortController();
    let received = 0;
    await assert.rejects(async () => {
      for await (const _ of create(double.url).chat({ model: MODEL, messages }, abort.signal)) {
        if (++received === 2) abort.abort(new Error("stop now"));
      }
    }, /stop now/);
    await double.waitFor((s) => s.cancelled === 1);
  });
}
