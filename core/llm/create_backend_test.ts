import assert from "node:assert/strict";
import { createBackend, loadBackendMaker } from "./create_backend.ts";

Deno.test("createBackend() uses Ollama unless an OpenAI-compatible URL is set", async () => {
  assert.equal(
    (await createBackend({ ollamaUrl: "http://127.0.0.1:11434" })).description,
    "ollama http://127.0.0.1:11434",
  );
  assert.equal(
    (await createBackend({
      ollamaUrl: "http://127.0.0.1:11434",
      openaiUrl: "http://127.0.0.1:8081/v1",
    })).description,
    "openai http://127.0.0.1:8081/v1",
  );
});

Deno.test("the backend maker follows a new Ollama URL, and an OpenAI URL stays fixed", async () => {
  const ollama = await loadBackendMaker();
  assert.equal(ollama("http://127.0.0.1:1").description, "ollama http://127.0.0.1:1");
  assert.equal(ollama("http://127.0.0.1:2").description, "ollama http://127.0.0.1:2");
  const openai = await loadBackendMaker("http://127.0.0.1:8081/v1");
  assert.equal(openai("http://127.0.0.1:2").description, "openai http://127.0.0.1:8081/v1");
});
