import assert from "node:assert/strict";
import { findModel, psEntry, resolveModel, showResponse, tagsEntry, withTag } from "./models.ts";

Deno.test("resolveModel() derives family, size and tag from the name", () => {
  const m = resolveModel("llama3.2:3b");
  assert.equal(m.name, "llama3.2:3b");
  assert.equal(m.family, "llama");
  assert.equal(m.parameterSize, "3B");
  assert.equal(m.size, 1.8e9);
  assert.match(m.digest, /^[0-9a-f]{64}$/);
  assert.equal(resolveModel("qwen2.5:0.5b").parameterSize, "0.5B");
  assert.equal(resolveModel("phi").name, "phi:latest");
});

Deno.test("resolveModel() keeps given fields", () => {
  const m = resolveModel({
    name: "x:1",
    family: "gemma",
    parameterSize: "2B",
    size: 5,
    digest: "d",
  });
  assert.deepEqual([m.family, m.parameterSize, m.size, m.digest], ["gemma", "2B", 5, "d"]);
});

Deno.test("resolveModel() refuses an empty name, quoting it", () => {
  assert.throws(() => resolveModel(""), /got ""/);
  assert.throws(() => resolveModel("a b"), /got "a b"/);
});

Deno.test("findModel() matches a name without tag to :latest", () => {
  const models = [resolveModel("tinyllama"), resolveModel("llama3.2:3b")];
  assert.equal(findModel(models, "tinyllama")?.name, "tinyllama:latest");
  assert.equal(findModel(models, "llama3.2:3b")?.name, "llama3.2:3b");
  assert.equal(findModel(models, "llama3.2"), undefined);
  assert.equal(withTag("registry.local:5000/ns/m"), "registry.local:5000/ns/m:latest");
});

Deno.test("tagsEntry(), psEntry() and showResponse() use Ollama's field names", () => {
  const m = resolveModel({ name: "tinyllama:1.1b", family: "llama" });
  assert.deepEqual(Object.keys(tagsEntry(m)), [
    "name",
    "model",
    "modified_at",
    "size",
    "digest",
    "details",
  ]); // deno-fmt-ignore
  assert.deepEqual(Object.keys(tagsEntry(m).details), [
    "parent_model", "format", "family", "families", "parameter_size", "quantization_level",
  ]); // deno-fmt-ignore
  const ps = psEntry(m, new Date(0));
  assert.equal(ps.expires_at, "1970-01-01T00:00:00.000Z");
  assert.equal(ps.size_vram, m.size);
  const show = showResponse(m);
  assert.equal(show.details.family, "llama");
  assert.equal(show.model_info["general.architecture"], "llama");
  assert.equal(show.model_info["llama.context_length"], 2048);
});
