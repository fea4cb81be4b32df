import assert from "node:assert/strict";
import { schemas } from "./index.ts";
import { LoadedModel, ModelViewRequest, ModelViewResponse } from "./show.ts";

Deno.test("the model view markers are registered with their schemas", () => {
  assert.equal(schemas["MVRQ:"], ModelViewRequest);
  assert.equal(schemas["MVRS:"], ModelViewResponse);
});

Deno.test("model view messages accept what the peers send and refuse the rest", () => {
  const ok: [{ safeParse(v: unknown): { success: boolean } }, unknown][] = [
    [ModelViewRequest, { requestId: "a-1", kind: "ps" }],
    [ModelViewRequest, { requestId: "a-1", kind: "show", model: "llama3.2:latest" }],
    [ModelViewRequest, { requestId: "a-1", kind: "show", model: "m", verbose: true }],
    [LoadedModel, { name: "m", size: 0 }],
    [LoadedModel, {
      name: "m:latest",
      model: "m:latest",
      size: 1024,
      digest: "abc",
      details: { family: "llama" },
      expiresAt: "2026-01-01T00:00:00.000Z",
      sizeVram: 512,
      contextLength: 4096,
    }],
    [ModelViewResponse, { requestId: "a-1", ok: true, ps: [] }],
    [ModelViewResponse, { requestId: "a-1", ok: true, show: { template: "", details: {} } }],
    [ModelViewResponse, { requestId: "a-1", ok: false, code: "no_model", message: "no" }],
  ];
  for (const [schema, value] of ok) {
    assert.ok(schema.safeParse(value).success, JSON.stringify(value));
  }
  const bad: [{ safeParse(v: unknown): { success: boolean } }, unknown][] = [
    [ModelViewRequest, { requestId: "a-1" }],
    [ModelViewRequest, { requestId: "a-1", kind: "pull" }],
    [ModelViewRequest, { requestId: "a-1", kind: "show" }],
    [ModelViewRequest, { requestId: "a-1", kind: "show", model: "" }],
    [ModelViewRequest, { requestId: "", kind: "ps" }],
    [LoadedModel, { name: "m", size: -1 }],
    [LoadedModel, { name: "", size: 0 }],
    [ModelViewResponse, { requestId: "a-1" }],
    [ModelViewResponse, { requestId: "a-1", ok: false, code: "nope" }],
    [ModelViewResponse, { requestId: "a-1", ok: true, ps: [{ name: "m" }] }],
  ];
  for (const [schema, value] of bad) {
    assert.ok(!schema.safeParse(value).success, JSON.stringify(value));
  }
});
