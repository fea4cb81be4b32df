import assert from "node:assert/strict";
import { mergeModels, type MeshModelHost } from "./mesh_model.ts";

const host = (nodeId: string, local = false): MeshModelHost => ({
  nodeId,
  name: `n-${nodeId}`,
  local,
  inFlight: 0,
  capacity: 2,
  queued: 0,
  healthy: true,
});

Deno.test("mergeModels() joins one model across hosts, local first, `x` = `x:latest`", () => {
  const merged = mergeModels([
    {
      host: host("b"),
      models: [{ name: "llama3", size: 5, family: "llama" }, { name: "qwen:8b", size: 8 }],
    },
    { host: host("a", true), models: [{ name: "llama3:latest", size: 5, digest: "d1" }] },
  ]);
  assert.deepEqual(merged.map((m) => [m.name, m.hosts.map((h) => h.nodeId)]), [
    ["llama3", ["a", "b"]],
    ["qwen:8b", ["b"]],
  ]);
  assert.equal(merged[0].family, "llama");
  assert.equal(merged[0].digest, "d1");
});

Deno.test("mergeModels() of nothing is empty", () => {
  assert.deepEqual(mergeModels([]), []);
});
