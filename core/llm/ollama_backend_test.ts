import assert from "node:assert/strict";
import { startOllamaDouble } from "../../tests/ollama_double/server.ts";
import { expectedAnswer, infillInput, rawInput } from "../../tests/ollama_double/answer.ts";
import { InferenceRequest } from "../wire/messages/llm.ts";
import { BackendError, backendRequest } from "./backend.ts";
import { continuation } from "./mesh_llm.ts";
import { generateFields, OllamaBackend } from "./ollama_backend.ts";

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

Deno.test("generateFields(): system, prompt and a failover's text so far appended to the prompt", () => {
  const request = backendRequest("coder", {
    messages: continuation([
      { role: "system", content: "terse" },
      { role: "user", content: "def add(a, b):\n", images: ["aGk="] },
    ], "    c = a"),
    suffix: "\n    return c",
    raw: true,
  });
  assert.deepEqual(generateFields(request), {
    prompt: "def add(a, b):\n    c = a",
    system: "terse",
    suffix: "\n    return c",
    raw: true,
    images: ["aGk="],
  });
  const wire = InferenceRequest.parse({ ...request, streamId: "s1" });
  assert.equal(wire.suffix, "\n    return c");
  assert.equal(wire.raw, true);
  const bad = InferenceRequest.safeParse({ ...request, streamId: "s1", suffix: 1 });
  assert.equal(bad.error?.issues[0].path.join("."), "suffix");
});

Deno.test("OllamaBackend answers suffix and raw with the host's /api/generate", async () => {
  await using double = await startOllamaDouble({ models: [MODEL] });
  const backend = new OllamaBackend({ url: double.url });
  const answer = async (request: Parameters<OllamaBackend["chat"]>[0]) => {
    let text = "";
    for await (const chunk of backend.chat(request, new AbortController().signal)) {
      text += chunk.content;
    }
    return text;
  };
  const prompt = "def add(a, b):\n";
  const messages = [{ role: "user" as const, content: prompt }];
  assert.equal(
    await answer({ model: MODEL, messages, suffix: "    return c" }),
    expectedAnswer(MODEL, infillInput(prompt, "    return c")),
  );
  assert.equal(
    await answer({ model: MODEL, messages, raw: true }),
    expectedAnswer(MODEL, rawInput(prompt)),
  );
});
