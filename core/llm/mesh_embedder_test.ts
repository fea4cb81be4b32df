import assert from "node:assert/strict";
import { expectedEmbedding } from "../../tests/ollama_double/embeddings.ts";
import { TestMesh } from "../../tests/support/llm_mesh.ts";
import { ChatError } from "./chat.ts";

const EMBED = "nomic-embed-text:latest";
const CHAT = "tinyllama:1.1b";
const texts = (n: number) => Array.from({ length: n }, (_, i) => `text number ${i}`);

Deno.test("MeshLlm.embed() serves a node without a backend from a peer, vectors in order", async () => {
  await using fixture = await TestMesh.create([
    { id: "host", double: { models: [EMBED] } },
    { id: "client" },
  ]);
  const inputs = texts(50);
  const result = await fixture.node("client").llm.embed({ model: "nomic-embed-text", inputs });
  assert.equal(result.servedBy.nodeId, "host");
  assert.equal(result.model, EMBED);
  assert.deepEqual(result.embeddings, inputs.map((t) => expectedEmbedding(EMBED, t, 768)));
  assert.equal(result.promptTokens, 150);
  const [counters] = fixture.node("host").llm.accessCounters();
  assert.equal(counters.requests, 1);
  assert.equal(counters.granted, 1);
});

Deno.test("MeshLlm.embed() passes dimensions and answers an empty batch", async () => {
  await using fixture = await TestMesh.create([
    { id: "host", double: { models: [EMBED] } },
    { id: "client" },
  ]);
  const client = fixture.node("client").llm;
  const cut = await client.embed({ model: EMBED, inputs: ["a b"], dimensions: 64 });
  assert.deepEqual(cut.embeddings, [expectedEmbedding(EMBED, "a b", 768, 64)]);
  const none = await client.embed({ model: EMBED, inputs: [] });
  assert.deepEqual(none.embeddings, []);
});

Deno.test("MeshLlm.embed() uses the local backend first", async () => {
  await using fixture = await TestMesh.create([
    { id: "a", double: { models: [EMBED] } },
    { id: "b", double: { models: [EMBED] } },
  ]);
  const result = await fixture.node("b").llm.embed({ model: EMBED, inputs: ["x"] });
  assert.equal(result.servedBy.nodeId, "b");
  assert.equal(fixture.node("a").double!.stats().requestCounts["/api/embed"], undefined);
});

Deno.test("MeshLlm.embed() fails over to another host before any result", async () => {
  await using fixture = await TestMesh.create([
    { id: "a", double: { models: [EMBED] } },
    { id: "b", double: { models: [EMBED] } },
    { id: "client" },
  ]);
  // "a" sorts first among equally loaded hosts, and fails.
  await fixture.node("a").double!.setFault({ kind: "http500", endpoints: ["embed"] });
  const result = await fixture.node("client").llm.embed({ model: EMBED, inputs: ["one", "two"] });
  assert.deepEqual(result.embeddings, ["one", "two"].map((t) => expectedEmbedding(EMBED, t, 768)));
  assert.equal(fixture.node("a").double!.stats().requestCounts["/api/embed"], 1);
  assert.equal(result.failedOverFrom?.nodeId, "a");
  assert.equal(result.servedBy.nodeId, "b");
});

Deno.test("MeshLlm.embed() gives up at once on a model that cannot embed (400)", async () => {
  await using fixture = await TestMesh.create([
    { id: "a", double: { models: [{ name: CHAT, capabilities: ["completion"] }] } },
    { id: "b", double: { models: [{ name: CHAT, capabilities: ["completion"] }] } },
    { id: "client" },
  ]);
  const error = await fixture.node("client").llm.embed({ model: CHAT, inputs: ["x"] }).then(
    () => assert.fail("embedded"),
    (e) => e,
  );
  assert.ok(error instanceof ChatError);
  assert.equal(error.kind, "bad_request");
  assert.match(error.message, /does not support embedding/);
  const calls = ["a", "b"].map((id) =>
    fixture.node(id).double!.stats().requestCounts["/api/embed"] ?? 0
  );
  assert.equal(calls[0] + calls[1], 1);
});

Deno.test("MeshLlm.embed() says which model is missing", async () => {
  await using fixture = await TestMesh.create([{ id: "host", double: { models: [EMBED] } }, {
    id: "client",
  }]);
  await assert.rejects(
    fixture.node("client").llm.embed({ model: "nope", inputs: ["x"] }),
    (e) => e instanceof ChatError && e.kind === "no_host" && /"nope"/.test(e.message),
  );
});

Deno.test("MeshLlm.embed() is refused by the host's rate limit like a chat", async () => {
  await using fixture = await TestMesh.create([
    { id: "host", double: { models: [EMBED] }, config: { rateLimit: 1 } },
    { id: "client" },
  ]);
  const client = fixture.node("client").llm;
  await client.embed({ model: EMBED, inputs: ["x"] });
  await assert.rejects(
    client.embed({ model: EMBED, inputs: ["y"] }),
    (e) => e instanceof ChatError && e.kind === "rate_limited",
  );
  const [counters] = fixture.node("host").llm.accessCounters();
  assert.equal(counters.refusedBy.rate_limited, 1);
});

Deno.test("MeshLlm.embed() asks a large batch in parts at once, spread over the hosts, in order", async () => {
  await using fixture = await TestMesh.create([
    { id: "a", double: { models: [EMBED] } },
    { id: "b", double: { models: [EMBED] } },
    { id: "client" },
  ]);
  const inputs = texts(600); // three parts of at most 256
  const result = await fixture.node("client").llm.embed({ model: EMBED, inputs });
  assert.deepEqual(result.embeddings, inputs.map((t) => expectedEmbedding(EMBED, t, 768)));
  assert.equal(result.promptTokens, 1800, "every part's tokens");
  const calls = ["a", "b"].map((id) =>
    fixture.node(id).double!.stats().requestCounts["/api/embed"] ?? 0
  );
  assert.equal(calls[0] + calls[1], 3);
  // One after the other, every part would go to "a" (it sorts first among idle hosts).
  assert.ok(calls[0] > 0 && calls[1] > 0, `parts were asked together: ${calls}`);
});

Deno.test("MeshLlm.embed() stops the other parts when one fails for good", async () => {
  await using fixture = await TestMesh.create([
    { id: "host", double: { models: [{ name: CHAT, capabilities: ["completion"] }] } },
    { id: "client" },
  ]);
  const error = await fixture.node("client").llm.embed({ model: CHAT, inputs: texts(2000) })
    .then(() => assert.fail("embedded"), (e) => e);
  assert.ok(error instanceof ChatError && error.kind === "bad_request", String(error));
  const calls = fixture.node("host").double!.stats().requestCounts["/api/embed"] ?? 0;
  assert.ok(calls >= 1 && calls <= 4, `${calls} of 8 parts were asked`);
});
