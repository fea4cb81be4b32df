import assert from "node:assert/strict";
import { createMeshModelsModel, type PickStorage } from "./mesh_models.ts";
import { fakeApi } from "../api/testing/fake_api.ts";
import { meshModel } from "../api/testing/fixtures.ts";

function memoryStorage(
  initial: Record<string, string> = {},
): PickStorage & { data: Map<string, string> } {
  const data = new Map(Object.entries(initial));
  return {
    data,
    getItem: (key) => data.get(key) ?? null,
    setItem: (key, value) => void data.set(key, value),
    removeItem: (key) => void data.delete(key),
  };
}

Deno.test("loadModels() lists the mesh's models by name and counts their hosts", async () => {
  const api = fakeApi({
    models: () => Promise.resolve([meshModel("qwen", ["a", "b"]), meshModel("llama", ["b"])]),
  });
  const models = createMeshModelsModel({ api, storage: memoryStorage() });
  await models.loadModels();
  assert.deepEqual(models.list.value.map((model) => model.name), ["llama", "qwen"]);
  assert.equal(models.hostCount.value, 2);
});

Deno.test("the pick is kept in storage and read back by the next page", () => {
  const storage = memoryStorage();
  const first = createMeshModelsModel({ api: fakeApi({}), storage });
  first.selectModel("llama");
  assert.equal(storage.data.get("neuromesh.model"), "llama");
  assert.equal(createMeshModelsModel({ api: fakeApi({}), storage }).selectedModel.value, "llama");
  first.selectModel(null);
  assert.equal(storage.data.has("neuromesh.model"), false);
});

Deno.test("a pick the mesh no longer serves falls back to Auto and says so", () => {
  const models = createMeshModelsModel({
    api: fakeApi({}),
    storage: memoryStorage({ "neuromesh.model": "llama" }),
  });
  assert.equal(models.effectiveModel.value, null);
  assert.equal(models.selectionMissing.value, true);
  models.applyModels([meshModel("llama")]);
  assert.equal(models.effectiveModel.value, "llama");
  assert.equal(models.selectionMissing.value, false);
  models.selectModel(null);
  assert.equal(models.selectionMissing.value, false);
});

Deno.test("storage that throws leaves the pick for this page only", () => {
  const broken: PickStorage = {
    getItem: () => {
      throw new Error("disabled");
    },
    setItem: () => {
      throw new Error("disabled");
    },
    removeItem: () => {
      throw new Error("disabled");
    },
  };
  const models = createMeshModelsModel({ api: fakeApi({}), storage: broken });
  assert.equal(models.selectedModel.value, null);
  models.selectModel("llama");
  assert.equal(models.selectedModel.value, "llama");
});
