import assert from "node:assert/strict";
import { createBackend } from "./create_backend.ts";

Deno.test("createBackend() uses Ollama unless an OpenAI-compatible URL is set", () => {
  assert.equal(
    createBackend({ ollamaUrl: "http://127.0.0.1:11434" }).description,
    "ollama http://127.0.0.1:11434",
  );
  assert.equal(
    createBackend({ ollamaUrl: "http://127.0.0.1:11434", openaiUrl: "http://127.0.0.1:8081/v1" })
      .description,
    "openai http://127.0.0.1:8081/v1",
  );
});
