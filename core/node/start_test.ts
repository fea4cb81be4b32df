import assert from "node:assert/strict";
import { startOllamaDouble } from "../../tests/ollama_double/server.ts";
import { ConfigSchema } from "../config/schema.ts";
import { silentLogger } from "../log/logger.ts";
import { startNode } from "./start.ts";

const MODEL = "tinyllama:1.1b";

/** A node on loopback with free ports, no discovery, its own data dir. */
async function testNode(ollamaUrl: string) {
  const dataDir = await Deno.makeTempDir({ prefix: "neuromesh-start-" });
  const config = {
    ...ConfigSchema.parse({ dataDir, name: "kitchen", ollamaUrl, discovery: false }),
    httpHost: "127.0.0.1",
    httpPort: 0,
    peerHost: "127.0.0.1",
    peerPort: 0,
  };
  const node = await startNode(config, new Set(["name"]), silentLogger);
  return {
    node,
    url: (path: string) => `http://127.0.0.1:${node.httpPort}${path}`,
    async [Symbol.asyncDispose]() {
      await node.stop();
      await Deno.remove(dataDir, { recursive: true });
    },
  };
}

Deno.test("startNode() composes a node whose modules all follow a rename", async () => {
  await using double = await startOllamaDouble({ models: [MODEL] });
  await using started = await testNode(double.url);
  const { node, url } = started;
  assert.equal(node.hasLlm, true);
  assert.deepEqual(node.localModels(), [MODEL]);
  const renamed = await fetch(url("/api/settings"), {
    method: "PATCH",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ name: "office" }),
  });
  assert.equal(renamed.status, 200);
  await renamed.body?.cancel();
  const status = await (await fetch(url("/api/status"))).json();
  assert.equal(status.node.name, "office");
  const models = await fetch(url("/api/mesh/models"));
  assert.equal(models.headers.get("x-neuromesh-host-name"), "office");
  const [model] = (await models.json()).models;
  assert.equal(model.hosts[0].name, "office", "LLM sharing shows the new name");
  const conversation = await (await fetch(url("/api/conversations"), {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: "{}",
  })).json();
  assert.equal(conversation.hostInfo.nodeName, "office", "conversations carry the new name");
});

Deno.test("RunningNode.stop() stops everything once, and the HTTP port is closed", async () => {
  const started = await testNode("http://127.0.0.1:9");
  const { node, url } = started;
  assert.equal(node.hasLlm, false);
  assert.equal(node.localModels(), null);
  assert.equal((await fetch(url("/api/status"))).status, 200);
  await started[Symbol.asyncDispose]();
  await node.stop();
  await assert.rejects(() => fetch(url("/api/status")));
});
