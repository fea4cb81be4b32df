import assert from "node:assert/strict";
import { NodeApiError, NodeClient, NodeUnreachable } from "./client.ts";
import { closedPortUrl, json, ndjson, startFakeNode } from "./testing/fake_node.ts";
import { PS, STATUS, TAGS, TRUST } from "./testing/sample_views.ts";

Deno.test("NodeClient reads status, tags, ps and trust, sending the token", async () => {
  await using node = startFakeNode({
    "GET /api/status": () => json(STATUS),
    "GET /api/tags": () => json(TAGS),
    "GET /api/ps": () => json(PS),
    "GET /api/trust": () => json(TRUST),
  });
  const client = new NodeClient({ url: `${node.url}/`, token: "t0k3n-0123456789abcdef" });
  assert.equal(client.url, node.url);
  assert.equal((await client.status()).node.name, "desk");
  assert.deepEqual((await client.tags()).models.map((m) => m.name), [
    "llama3.2:3b",
    "qwen2.5:0.5b",
  ]);
  assert.equal((await client.ps()).models.length, 1);
  assert.equal((await client.trust()).mode, "open");
  assert.deepEqual(
    new Set(node.requests.map((r) => r.authorization)),
    new Set(["Bearer t0k3n-0123456789abcdef"]),
  );
});

Deno.test("NodeClient: no node at the address is one clear line", async () => {
  const url = closedPortUrl();
  const client = new NodeClient({ url });
  await assert.rejects(() => client.status(), (error: Error) => {
    assert.ok(error instanceof NodeUnreachable);
    assert.equal(
      error.message,
      `no NeuroMesh node answers at ${url}: start one with \`neuromesh\``,
    );
    return true;
  });
  await assert.rejects(async () => {
    for await (const _ of client.chat("m", [{ role: "user", content: "x" }])) { /* none */ }
  }, NodeUnreachable);
});

Deno.test("NodeClient: error answers name the path, status and message; 401 says how to give a token", async () => {
  await using node = startFakeNode({
    "GET /api/status": () => json({ error: "this node needs its API token" }, 401),
    "GET /api/tags": () => new Response("bad gateway", { status: 502 }),
    "GET /api/ps": () => json({ models: [{ size: 1 }] }),
    "GET /api/trust": () => new Response("<html>", { status: 200 }),
  });
  const client = new NodeClient({ url: node.url });
  await assert.rejects(
    () => client.status(),
    (e: Error) =>
      e instanceof NodeApiError && e.status === 401 &&
      e.message ===
        `${node.url}/api/status: 401 this node needs its API token (give the node's API token with --http-token or NEUROMESH_HTTP_TOKEN)`,
  );
  await assert.rejects(() => client.tags(), new RegExp(`: ${node.url}/api/tags: 502 bad gateway$`));
  await assert.rejects(
    () => client.ps(),
    new RegExp(`: unexpected answer from ${node.url}/api/ps: models.0.name: `),
  );
  await assert.rejects(() => client.trust(), /\/api\/trust sent no JSON/);
});

Deno.test("NodeClient: a node that does not answer in time", async () => {
  const { promise: never, resolve } = Promise.withResolvers<Response>();
  await using node = startFakeNode({ "GET /api/status": () => never });
  const client = new NodeClient({ url: node.url, timeoutMs: 50 });
  await assert.rejects(() => client.status(), /\/api\/status did not answer in 50 ms/);
  resolve(json(STATUS));
});

Deno.test("NodeClient.chat() streams the NDJSON lines; an error line or a broken stream throws", async () => {
  let reply = () =>
    ndjson([
      { message: { role: "assistant", content: "Hel" }, done: false },
      { message: { role: "assistant", content: "lo" }, done: false },
      {
        message: { role: "assistant", content: "" },
        done: true,
        neuromesh: { hosts: [{ name: "desk" }], failedOver: false },
      },
    ]);
  await using node = startFakeNode({ "POST /api/chat": () => reply() });
  const client = new NodeClient({ url: node.url });
  const lines = [];
  for await (const line of client.chat("llama3.2", [{ role: "user", content: "hi" }])) {
    lines.push(line);
  }
  assert.deepEqual(lines.map((l) => l.message?.content), ["Hel", "lo", ""]);
  assert.deepEqual(node.requests[0].body, {
    model: "llama3.2",
    messages: [{ role: "user", content: "hi" }],
    stream: true,
  });

  reply = () => ndjson([{ message: { content: "a" } }, { error: "every host failed" }]);
  await assert.rejects(async () => {
    for await (const _ of client.chat("m", [])) { /* until the error */ }
  }, (e: Error) => e instanceof NodeApiError && e.message === "every host failed");

  reply = () => ndjson([{ message: { content: "a" } }], true);
  await assert.rejects(async () => {
    for await (const _ of client.chat("m", [])) { /* until it breaks */ }
  }, /the answer from .* broke off/);

  reply = () => json({ error: `model "nope" not found on the mesh` }, 404);
  await assert.rejects(async () => {
    for await (const _ of client.chat("nope", [])) { /* none */ }
  }, /\/api\/chat: 404 model "nope" not found on the mesh$/);
});
