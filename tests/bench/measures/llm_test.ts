import assert from "node:assert/strict";
import { llmRoutes } from "../../../core/http/llm_routes.ts";
import { benchLlm, percentile, summarize } from "./llm.ts";
import { TestMesh } from "../../support/llm_mesh.ts";

Deno.test("percentile() uses the nearest rank", () => {
  const values = Array.from({ length: 100 }, (_, i) => i + 1);
  assert.equal(percentile(values, 50), 50);
  assert.equal(percentile(values, 99), 99);
  assert.equal(percentile([7], 99), 7);
  assert.equal(percentile([], 50), 0);
});

Deno.test("summarize() reports count, p50, p99, mean, min and max", () => {
  assert.deepEqual(summarize([3, 1, 2]), { count: 3, p50: 2, p99: 3, mean: 2, min: 1, max: 3 });
});

Deno.test("benchLlm() measures the mesh against the direct backend", async () => {
  await using fixture = await TestMesh.create([
    { id: "host", double: { models: ["tinyllama:1.1b"], tokens: 30, tokenLatencyMs: 1 } },
    { id: "client" },
  ]);
  const routes = llmRoutes({
    llm: fixture.node("client").llm,
    nodeId: "client",
    settings: () => ({ name: "client" }),
  });
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    routes.fetch,
  );
  const result = await benchLlm({
    meshUrl: `http://127.0.0.1:${server.addr.port}`,
    directUrl: fixture.node("host").double!.url,
    model: "tinyllama:1.1b",
    requests: 6,
    concurrency: 2,
    longStreamTokens: 30,
  });
  for (const target of [result.mesh, result.direct]) {
    assert.equal(target.errors, 0, target.firstError);
    assert.equal(target.ttftMs.count, 6);
    assert.ok(target.ttftMs.p50 > 0 && target.ttftMs.p50 <= target.totalMs.p50);
    assert.equal(target.longStreamTokens, 30);
    assert.ok(target.tokensPerSecond > 0);
  }
  assert.equal(typeof result.overheadMs.ttftP50, "number");
});
