/**
 * Model views through a node without an LLM (node1) with the real clients (issue 12, item 4):
 * `ollama.list()` and `openai.models.list()` are one merged list naming the hosts, `ollama.ps()`
 * asks the hosts what they have loaded, `ollama.show()` answers for a model only a peer has —
 * from that host's own `/api/show`, or what the mesh knows when the host's backend is
 * OpenAI-compatible — and 404 for a model no host has.
 */
import assert from "node:assert/strict";
import { Ollama } from "ollama";
import OpenAI from "openai";
import { resolveModel, showResponse } from "../ollama_double/models.ts";
import { CHAT, clientLabOptions, EMBED, OPENAI_TOOLS, TOOLS, withClientLab } from "./client_lab.ts";

interface HostRef {
  id?: string;
  nodeId?: string;
  name: string;
}

Deno.test(
  "ollama list, ps and show and openai models through a node without an LLM",
  clientLabOptions,
  () =>
    withClientLab(async (mesh) => {
      const ollama = new Ollama({ host: mesh.url });
      const openai = new OpenAI({ baseURL: `${mesh.url}/v1`, apiKey: "unused", maxRetries: 0 });
      const hostNames = (hosts: HostRef[]) => hosts.map((h) => h.name).sort();

      // One list for the mesh, each model once with its hosts.
      const { models } = await ollama.list();
      const listed = Object.fromEntries(
        models.map((m) => [m.name, hostNames((m as unknown as { hosts: HostRef[] }).hosts)]),
      );
      assert.deepEqual(listed, {
        [EMBED]: ["node2", "node3"],
        [CHAT]: ["node2"],
        [TOOLS]: ["node2"],
        [OPENAI_TOOLS]: ["node3"],
      });
      const tools = models.find((m) => m.name === TOOLS)!;
      assert.equal(tools.size, resolveModel(TOOLS).size);
      assert.equal(tools.details.parameter_size, "8B");
      const ids = [];
      for await (const model of openai.models.list()) ids.push(model.id);
      assert.deepEqual(ids.sort(), Object.keys(listed).sort());
      assert.equal((await openai.models.retrieve(TOOLS)).id, TOOLS);

      // ps asks the hosts: nothing is loaded until a model has answered.
      assert.deepEqual((await ollama.ps()).models, []);
      await ollama.chat({ model: TOOLS, messages: [{ role: "user", content: "hi" }] });
      await ollama.generate({ model: CHAT, prompt: "hello" });
      const ps = await ollama.ps();
      const loaded = ps.models.map((m) => {
        const { host } = m as unknown as { host: HostRef };
        return [m.name, host.name, host.nodeId, m.size];
      }).sort((a, b) => String(a[0]).localeCompare(String(b[0])));
      assert.deepEqual(loaded, [
        [TOOLS, "node2", mesh.ids.ollamaHost, resolveModel(TOOLS).size],
        [CHAT, "node2", mesh.ids.ollamaHost, resolveModel(CHAT).size],
      ]);
      assert.ok(ps.models.every((m) => new Date(m.expires_at).getTime() > Date.now()));

      // show: a model only a peer has, answered by that host's Ollama.
      const shown = await ollama.show({ model: TOOLS });
      const expected = showResponse(resolveModel(TOOLS));
      assert.deepEqual(shown.capabilities, expected.capabilities);
      assert.equal(shown.template, expected.template);
      assert.deepEqual(shown.model_info, expected.model_info);
      assert.deepEqual(shown.details, expected.details);
      assert.deepEqual((shown as unknown as { neuromesh: unknown }).neuromesh, {
        nodeId: mesh.ids.ollamaHost,
        name: "node2",
      });
      // The chat-only model says so: what a client reads before offering tools.
      assert.deepEqual((await ollama.show({ model: CHAT })).capabilities, ["completion"]);
      // The OpenAI-compatible host has no /api/show: what the mesh knows, with the host.
      const minimal = await ollama.show({ model: OPENAI_TOOLS });
      assert.deepEqual(
        hostNames((minimal as unknown as { hosts: HostRef[] }).hosts),
        ["node3"],
      );
      await assert.rejects(
        ollama.show({ model: "nosuch:1b" }),
        (e: Error & { status_code?: number }) =>
          e.status_code === 404 && /not found on the mesh/.test(e.message),
      );
    }),
);
