import assert from "node:assert/strict";
import { expectedAnswer } from "../../tests/ollama_double/answer.ts";
import { startOllamaDouble } from "../../tests/ollama_double/server.ts";
import { BackendError } from "./backend.ts";
import { OllamaBackend } from "./ollama_backend.ts";

const MODEL = "tinyllama:1.1b";
const messages = [{ role: "user" as const, content: "hi" }];

Deno.test("OllamaBackend lists models with their details", async () => {
  await using double = await startOllamaDouble({ models: [{ name: MODEL, family: "llama" }] });
  const backend = new OllamaBackend({ url: `${double.url}/` });
  const [model] = await backend.listModels();
  assert.equal(model.name, MODEL);
  assert.equal(model.family, "llama");
  assert.equal(model.parameterSize, "1.1B");
  assert.ok(model.size > 0);
  assert.match(model.modifiedAt ?? "", /^2025-01-01T00:00:00/);
  assert.equal(await backend.version(), "0.12.6");
  assert.equal(backend.description, `ollama ${double.url}`);
});

Deno.test("OllamaBackend.chat() streams text then a final chunk with stats", async () => {
  await using double = await startOllamaDouble({ models: [MODEL], tokens: 5 });
  const backend = new OllamaBackend({ url: double.url });
  const chunks = [];
  for await (
    const chunk of backend.chat({ model: MODEL, messages }, new AbortController().signal)
  ) chunks.push(chunk);
  assert.equal(chunks.map((c) => c.content).join(""), expectedAnswer(MODEL, messages, 5));
  const last = chunks.at(-1)!;
  assert.equal(last.done, true);
  assert.equal(last.doneReason, "stop");
  assert.equal(last.stats?.evalCount, 5);
});

Deno.test("OllamaBackend.chat() turns an HTTP error into BackendError with its status", async () => {
  await using double = await startOllamaDouble({
    models: [MODEL],
    fault: { kind: "http500", times: 1 },
  });
  const backend = new OllamaBackend({ url: double.url });
  await assert.rejects(async () => {
    for await (
      const _ of backend.chat({ model: MODEL, messages }, new AbortController().signal)
    ) { /* drain */ }
  }, (error: unknown) => error instanceof BackendError && error.status === 500);
  await assert.rejects(async () => {
    for await (
      const _ of backend.chat({ model: "missing:1b", messages }, new AbortController().signal)
    ) { /**/ }
  }, (error: unknown) => error instanceof BackendError && error.status === 404);
});

Deno.test("OllamaBackend.chat() aborted mid-stream makes Ollama stop generating", async () => {
  await using double = await startOllamaDouble({
    models: [MODEL],
    tokens: 500,
    tokenLatencyMs: 10,
  });
  const backend = new OllamaBackend({ url: double.url });
  const abort = new AbortController();
  let received = 0;
  await assert.rejects(async () => {
    for await (const _ of backend.chat({ model: MODEL, messages }, abort.signal)) {
      if (++received === 2) abort.abort(new Error("stop now"));
    }
  }, /stop now/);
  await double.waitFor((s) => s.cancelled === 1);
});

Deno.test("OllamaBackend reports an unreachable server as BackendError", async () => {
  const double = await startOllamaDouble();
  const url = double.url;
  await double.close();
  await assert.rejects(() => new OllamaBackend({ url }).listModels(), (error: unknown) => {
    assert.ok(error instanceof BackendError);
    assert.match(error.message, /^ollama could not list models: /);
    return true;
  });
});
