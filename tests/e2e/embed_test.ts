/**
 * Embeddings end to end (issue 12, item 1): real NeuroMesh processes in network namespaces. A
 * node without an LLM (node1) serves embeddings from hosts in other namespaces — node2 with the
 * Ollama test double, node3 with the double's OpenAI-only API behind `--openai-url` — called
 * with the real `ollama` and `openai` npm clients. Every vector equals the double's.
 */
import assert from "node:assert/strict";
import { Ollama } from "ollama";
import OpenAI from "openai";
import { expectedEmbedding } from "../ollama_double/embeddings.ts";
import { CHAT, clientLabOptions, EMBED, postJson, withClientLab } from "./client_lab.ts";

const vector = (text: string, dims?: number) => expectedEmbedding(EMBED, text, 768, dims);

Deno.test(
  "embeddings through a node without an LLM, from hosts in other namespaces",
  clientLabOptions,
  () =>
    withClientLab(async (mesh) => {
      const { url, ollamaHost, openaiHost } = mesh;
      const ids = [mesh.ids.client, mesh.ids.ollamaHost, mesh.ids.openaiHost];

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
      const refused = await postJson(mesh, "/api/embed", { model: CHAT, input: "x" });
      assert.equal(refused.status, 400);
      assert.match((await refused.json()).error, /does not support embedding/);
      await assert.rejects(
        openai.embeddings.create({ model: CHAT, input: "x" }),
        (e) => e instanceof OpenAI.BadRequestError && /does not support/.test(e.message),
      );

      // The preferred host answers; when its backend fails, the other host does.
      for (const [i, host] of [ollamaHost, openaiHost].entries()) {
        const res = await postJson(
          mesh,
          "/api/embed",
          { model: EMBED, input: ["from", host.name] },
          {
            "x-neuromesh-prefer-host": ids[i + 1],
          },
        );
        assert.equal(res.headers.get("x-neuromesh-host"), ids[i + 1]);
        assert.deepEqual((await res.json()).embeddings, [vector("from"), vector(host.name)]);
      }
      await mesh.doubles.ollamaHost.setFault({ kind: "http500", endpoints: ["embed"] });
      const failover = await postJson(mesh, "/api/embed", { model: EMBED, input: ["failover"] }, {
        "x-neuromesh-prefer-host": ids[1],
      });
      assert.equal(failover.status, 200);
      assert.equal(failover.headers.get("x-neuromesh-host"), ids[2]);
      assert.deepEqual((await failover.json()).embeddings, [vector("failover")]);
    }),
);
