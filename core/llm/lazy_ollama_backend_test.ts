import assert from "node:assert/strict";
import { startOllamaDouble } from "../../tests/ollama_double/server.ts";
import { expectedAnswer } from "../../tests/ollama_double/answer.ts";
import { BackendError } from "./backend.ts";
import { LazyOllamaBackend } from "./lazy_ollama_backend.ts";

const MODEL = "tinyllama:1.1b";

Deno.test("LazyOllamaBackend: nothing listening is a BackendError of the reachability check, not of the client", async () => {
  const double = await startOllamaDouble();
  const url = double.url;
  await double.close();
  const backend = new LazyOllamaBackend(url);
  assert.equal(backend.description, `ollama ${url}`);
  await assert.rejects(() => backend.listModels(), (error: unknown) => {
    assert.ok(error instanceof BackendError);
    assert.match(error.message, /^Ollama is not reachable at http:\/\/127\.0\.0\.1:\d+: /);
    return true;
  });
});

Deno.test("LazyOllamaBackend: once the server answers, lists, chats and embeds through the client", async () => {
  await using double = await startOllamaDouble({ models: [MODEL] });
  const backend = new LazyOllamaBackend(`${double.url}/`);
  assert.deepEqual((await backend.listModels()).map((m) => m.name), [MODEL]);
  assert.equal(await backend.version(), "0.12.6");
  const messages = [{ role: "user" as const, content: "hello" }];
  let text = "";
  for await (
    const chunk of backend.chat({ model: MODEL, messages }, new AbortController().signal)
  ) text += chunk.content;
  assert.equal(text, expectedAnswer(MODEL, messages));
  const embedded = await backend.embed(
    { model: MODEL, inputs: ["a", "b"] },
    new AbortController().signal,
  );
  assert.equal(embedded.embeddings.length, 2);
});

Deno.test("LazyOllamaBackend: an aborted probe ends at once", async () => {
  const backend = new LazyOllamaBackend("http://127.0.0.1:9");
  const controller = new AbortController();
  controller.abort(new Error("stopping"));
  await assert.rejects(() => backend.listModels(controller.signal), /stopping/);
});
