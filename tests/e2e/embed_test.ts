/**
 * Embeddings end to end (issue 12, item 1): real NeuroMesh processes in network namespaces. A
 * node without an LLM (node1) serves embeddings from hosts in other namespaces — node2 with the
 * Ollama test double, node3 with the double's OpenAI-only API behind `--openai-url` — called
 * with the real `ollama` and `openai` npm clients. Every vector equals the double's.
 */
import assert from "node:assert/strict";
import { Ollama } from "ollama";
import OpenAI from "openai";
import { netnsUnavailableReason, requires } from "../support/ci.ts";
import { forwardTcpToUnix } from "../support/unix_forward.ts";
import { expectedEmbedding } from "../ollama_double/embeddings.ts";
import { Lab, waitFor } from "./lab.ts";
import { meshModels } from "./llm_lab.ts";

const options = {
  ...requires(netnsUnavailableReason()),
  sanitizeResources: false,
  sanitizeOps: false,
};

/** On both hosts: an answer may come from either. */
const EMBED = "nomic-embed-text:latest";
/** Only on node2: a chat model that cannot embed. */
const CHAT = "tinyllama:1.1b";
const vector = (text: string, dims?: number) => expectedEmbedding(EMBED, text, 768, dims);

Deno.test(
  "embeddings through a node without an LLM, from hosts in other namespaces",
  options,
  async () => {
    const lab = await Lab.create(3);
    const [a, ollamaHost, openaiHost] = lab.hosts;
    const controls: { close(): void }[] = [];
    try {
      const sockets = [ollamaHost, openaiHost].map((h) => `${lab.dir}/${h.name}-ollama.sock`);
      const specs = [{ name: EMBED }, { name: CHAT, capabilities: ["completion"] }];
      await ollamaHost.startOllama([
        "--models",
        JSON.stringify(specs),
        "--control-socket",
        sockets[0],
      ]);
      await openaiHost.startOllama([
        "--models",
        EMBED,
        "--api",
        "openai",
        "--control-socket",
        sockets[1],
      ]);
      await Promise.all([
        a.node.start(),
        ollamaHost.node.start(),
        openaiHost.node.start({ args: ["--openai-url", "http://127.0.0.1:11434"] }),
      ]);
      const ids = await Promise.all(lab.hosts.map(async (h) => (await h.node.status()).node.id));
      await waitFor(
        "node1 to see both hosts of the embedding model",
        async () => {
          const models = await meshModels(a.node);
          const embed = models.find((m) => m.name === EMBED);
          return embed?.hosts.length === 2 && models.some((m) => m.name === CHAT);
        },
        30_000,
        100,
      );
      const url = a.node.url;

      // ollama: batched and single input, dimensions; the older /api/embeddings.
      const ollama = new Ollama({ host: url });
      const inputs = Array.from({ length: 1000 }, (_, i) => `document ${i} about the mesh`);
      const batch = await ollama.embed({ model: "nomic-embed-text", input: inputs });
      assert.equal(batch.embeddings.length, 1000);
      assert.deepEqual(batch.embeddings, inputs.map((t) => vector(t)));
      const cut = await ollama.embed({ model: EMBED, input: "short", dimensions: 32 });
      assert.deepEqual(cut.embeddings, [vector("short", 32)]);
      const old = await ollama.embeddings({ model: EMBED, prompt: "legacy" });
      assert.deepEqual(old.embedding, vector("legacy"));

      // openai: float and base64 (the client decodes base64 itself).
      const openai = new OpenAI({ baseURL: `${url}/v1`, apiKey: "unused", maxRetries: 0 });
      const texts = ["one", "two", "three"];
      const floats = await openai.embeddings.create({
        model: EMBED,
        input: texts,
        encoding_format: "float",
      });
      assert.deepEqual(floats.data.map((d) => d.embedding), texts.map((t) => vector(t)));
      const b64 = await openai.embeddings.create({ model: EMBED, input: texts });
      assert.deepEqual(b64.data.map((d) => d.embedding), texts.map((t) => vector(t)));
      const single = await openai.embeddings.create({ model: EMBED, input: "alone" });
      assert.deepEqual(single.data[0].embedding, vector("alone"));

      // A model that cannot embed: Ollama's 400 shape, and OpenAI's.
      const refused = await fetch(`${url}/api/embed`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model: CHAT, input: "x" }),
      });
      assert.equal(refused.status, 400);
      assert.match((await refused.json()).error, /does not support embedding/);
      await assert.rejects(
        openai.embeddings.create({ model: CHAT, input: "x" }),
        (e) => e instanceof OpenAI.BadRequestError && /does not support/.test(e.message),
      );

      // The preferred host answers; when its backend fails, the other host does.
      for (const [i, host] of [ollamaHost, openaiHost].entries()) {
        const res = await fetch(`${url}/api/embed`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-neuromesh-prefer-host": ids[i + 1] },
          body: JSON.stringify({ model: EMBED, input: ["from", host.name] }),
        });
        assert.equal(res.headers.get("x-neuromesh-host"), ids[i + 1]);
        assert.deepEqual((await res.json()).embeddings, [vector("from"), vector(host.name)]);
      }
      const control = forwardTcpToUnix(sockets[0]);
      controls.push(control);
      const fault = await fetch(`${control.url}/__double/fault`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ kind: "http500", endpoints: ["embed"] }),
      });
      assert.equal(fault.status, 200, await fault.text());
      const failover = await fetch(`${url}/api/embed`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-neuromesh-prefer-host": ids[1] },
        body: JSON.stringify({ model: EMBED, input: ["failover"] }),
      });
      assert.equal(failover.status, 200);
      assert.equal(failover.headers.get("x-neuromesh-host"), ids[2]);
      assert.deepEqual((await failover.json()).embeddings, [vector("failover")]);
    } catch (error) {
      console.error(await lab.logs());
      throw error;
    } finally {
      for (const control of controls) control.close();
      await lab.close();
    }
  },
);
