import assert from "node:assert/strict";
import { startOllamaDouble } from "../../tests/ollama_double/server.ts";
import { BackendError } from "./backend.ts";
import { OllamaBackend } from "./ollama_backend.ts";

const MODEL = "tinyllama:1.1b";

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
