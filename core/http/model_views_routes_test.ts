import assert from "node:assert/strict";
import { TestMesh } from "../../tests/support/llm_mesh.ts";
import { formatRunning } from "../cli/ps.ts";
import { PsSchema } from "../cli/client.ts";
import { llmRoutes } from "./llm_routes.ts";
import { post } from "./testing/llm_requests.ts";

const MODEL = "llama3.2:latest";

async function meshOfTwo() {
  const fixture = await TestMesh.create([{ id: "host", double: { models: [MODEL] } }, {
    id: "client",
  }]);
  const client = fixture.node("client").llm;
  const routes = llmRoutes({
    llm: client,
    views: client.views,
    nodeId: "client",
    settings: () => ({ name: "node-client" }),
  });
  return { fixture, routes };
}

Deno.test("GET /api/ps lists what the remote host has loaded, asked of it, naming it", async () => {
  const { fixture, routes } = await meshOfTwo();
  await using _ = fixture;
  const empty = await (await routes.request("/api/ps")).json();
  assert.deepEqual(empty, { models: [] });

  // load the model on the host's backend, as Ollama does for an empty prompt
  const double = fixture.node("host").double!;
  const load = await fetch(`${double.url}/api/generate`, post({ model: MODEL, prompt: "" }));
  await load.body?.cancel();

  const res = await routes.request("/api/ps");
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.equal(body.models.length, 1);
  const [entry] = body.models;
  assert.equal(entry.name, MODEL);
  assert.equal(entry.model, MODEL);
  assert.ok(entry.size > 0);
  assert.equal(entry.size_vram, entry.size);
  assert.equal(typeof entry.digest, "string");
  assert.equal(typeof entry.details, "object");
  assert.ok(Date.parse(entry.expires_at) > Date.now());
  assert.deepEqual(entry.neuromesh, { nodeId: "host", name: "node-host" });

  // `neuromesh ps` reads it and names the host
  const lines = formatRunning(PsSchema.parse(body), null, new Date());
  assert.match(lines.join("\n"), /llama3\.2:latest\s+node-host/);
});

Deno.test("POST /api/show answers for a model only a peer has, from that host's backend", async () => {
  const { fixture, routes } = await meshOfTwo();
  await using _ = fixture;
  const res = await routes.request("/api/show", post({ model: "llama3.2" }));
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.equal(body.template, "{{ .Prompt }}");
  assert.match(body.modelfile, /FROM llama3\.2:latest/);
  assert.ok(Array.isArray(body.capabilities));
  assert.ok(Object.keys(body.model_info).length > 0);
  assert.deepEqual(body.neuromesh, { nodeId: "host", name: "node-host" });

  const missing = await routes.request("/api/show", post({ model: "nope" }));
  assert.equal(missing.status, 404);
  assert.match((await missing.json()).error, /not found/);
});

Deno.test("a host that does not serve its LLM is left out of /api/ps and not asked for /api/show", async () => {
  const { fixture, routes } = await meshOfTwo();
  await using _ = fixture;
  const views = fixture.node("client").llm.views;
  fixture.updateSettings("host", { serveLlm: false });
  const refused = await views.ask("host", { kind: "ps" });
  assert.equal(refused.ok, false);
  assert.equal(refused.code, "not_serving");
  const res = await routes.request("/api/ps");
  assert.equal(res.status, 200);
});

Deno.test("closing a MeshLlm releases its views: a closed host stays silent, a pending ask ends", async () => {
  const { fixture } = await meshOfTwo();
  await using _ = fixture;
  fixture.node("host").llm.close();
  // The closed host no longer answers MVRQ:, so the ask waits — until the client closes too.
  const pending = fixture.node("client").llm.views.ask("host", { kind: "ps" });
  fixture.node("client").llm.close();
  const answer = await pending;
  assert.equal(answer.ok, false);
  assert.equal(answer.code, "shutting_down");
});
