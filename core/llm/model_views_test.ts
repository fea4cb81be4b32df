import assert from "node:assert/strict";
import { LoadedModel } from "../wire/messages/show.ts";
import { backendLoaded, loadedFromOllama, ollamaPsOf } from "./model_views.ts";

Deno.test("loadedFromOllama maps Ollama's /api/ps body to wire entries the schema accepts", () => {
  const entries = loadedFromOllama({
    models: [
      {
        name: "m:latest",
        model: "m:latest",
        size: 100,
        digest: "abc",
        details: { family: "llama" },
        expires_at: "2026-01-01T00:00:00Z",
        size_vram: 50,
        context_length: 4096,
      },
      { model: "only-model", size: -3 },
      { size: 1 },
      "junk",
    ],
  });
  assert.deepEqual(entries, [
    {
      name: "m:latest",
      model: "m:latest",
      size: 100,
      digest: "abc",
      details: { family: "llama" },
      expiresAt: "2026-01-01T00:00:00Z",
      sizeVram: 50,
      contextLength: 4096,
    },
    {
      name: "only-model",
      model: "only-model",
      size: 0,
      digest: undefined,
      details: undefined,
      expiresAt: undefined,
      sizeVram: undefined,
      contextLength: undefined,
    },
  ]);
  for (const entry of entries) assert.ok(LoadedModel.safeParse(entry).success);
  assert.deepEqual(loadedFromOllama(null), []);
  assert.deepEqual(loadedFromOllama({ models: "no" }), []);
});

Deno.test("ollamaPsOf answers in Ollama's /api/ps shape and names the host", () => {
  const entry = ollamaPsOf({
    host: { nodeId: "H", name: "h" },
    model: { name: "m", size: 10, expiresAt: "2026-01-01T00:00:00Z" },
  });
  assert.deepEqual(entry, {
    name: "m",
    model: "m",
    size: 10,
    digest: "",
    details: {},
    expires_at: "2026-01-01T00:00:00Z",
    size_vram: 0,
    neuromesh: { nodeId: "H", name: "h" },
    host: { nodeId: "H", name: "h", expires_at: "2026-01-01T00:00:00Z" },
  });
});

Deno.test("a node without an Ollama backend has nothing loaded", async () => {
  assert.deepEqual(await backendLoaded(null), []);
});
