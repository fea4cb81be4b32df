/**
 * Failover after a tool call (issue 12, item 2) with real processes: the host streaming the calls
 * dies after the first one; the answer goes on on another host — here the OpenAI-compatible one —
 * which makes only the calls not yet delivered. The client, through a node without an LLM, gets
 * every call exactly once, in order, and the final object says the answer failed over.
 */
import assert from "node:assert/strict";
import { Ollama, type Tool } from "ollama";
import OpenAI from "openai";
import { expectedToolCalls } from "../ollama_double/tools.ts";
import { type ClientLab, clientLabOptions, TOOLS, withClientLab } from "./client_lab.ts";
import { waitFor } from "./lab.ts";
import { healthyHostsOf } from "./llm_lab.ts";

const FUNCTIONS = ["get_weather", "get_time", "get_news"].map((name) => ({
  name,
  description: `${name} of a place`,
  parameters: { type: "object", properties: { place: { type: "string" } }, required: ["place"] },
}));
const QUESTION = "First get_weather, then get_time, then get_news for Bergen.";
const planned = expectedToolCalls(TOOLS, [{ role: "user", content: QUESTION }], FUNCTIONS);

/** The Ollama host fails its next chat after one call; both hosts must be healthy first. */
async function armFault(mesh: ClientLab): Promise<void> {
  await waitFor(
    "node1 to see both hosts of the tools model healthy",
    async () => (await healthyHostsOf(mesh.client.node, TOOLS)).length === 2,
    30_000,
    100,
  );
  await mesh.doubles.ollamaHost.setFault({
    kind: "closeMidStream",
    afterTokens: 1,
    endpoints: ["chat"],
    times: 1,
  });
}

/** The calls the OpenAI-compatible host was told were already made, in its last chat request. */
async function lastContinuation(mesh: ClientLab): Promise<string[]> {
  const last = (await mesh.doubles.openaiHost.requests("/v1/chat/completions")).at(-1) as {
    messages: { role: string; tool_calls?: { function: { name: string } }[] }[];
  };
  assert.deepEqual(last.messages.map((m) => m.role), ["user", "assistant"]);
  return last.messages[1].tool_calls?.map((c) => c.function.name) ?? [];
}

Deno.test(
  "a host that dies after streaming a tool call is replaced without repeating or losing a call",
  clientLabOptions,
  () =>
    withClientLab(async (mesh) => {
      assert.deepEqual(planned.map((c) => c.name), ["get_weather", "get_time", "get_news"]);
      // A second device gets the same model: the OpenAI-compatible host now offers it too.
      await mesh.doubles.openaiHost.settings({
        models: ["nomic-embed-text:latest", "llama3.2:3b", TOOLS],
      });
      const prefer = { "x-neuromesh-prefer-host": mesh.ids.ollamaHost };

      // The ollama client, streamed: each call whole, once.
      await armFault(mesh);
      const ollama = new Ollama({ host: mesh.url, headers: prefer });
      const tools: Tool[] = FUNCTIONS.map((f) => ({ type: "function", function: f }));
      const calls = [];
      let trailer: { failedOver: boolean; hosts: { name: string }[] } | undefined;
      for await (
        const part of await ollama.chat({
          model: TOOLS,
          messages: [{ role: "user", content: QUESTION }],
          tools,
          stream: true,
        })
      ) {
        calls.push(...(part.message.tool_calls ?? []));
        if (part.done) trailer = (part as unknown as { neuromesh: typeof trailer }).neuromesh;
      }
      assert.deepEqual(
        calls.map((c) => [c.function.name, c.function.arguments]),
        planned.map((c) => [c.name, c.arguments]),
      );
      assert.deepEqual(
        calls.map((c) => (c.function as { index?: number }).index),
        [0, 1, 2],
      );
      assert.equal(trailer?.failedOver, true);
      assert.deepEqual(trailer?.hosts.map((h) => h.name), ["node2", "node3"]);
      // The second host answered a continuation (the delivered call sent along), not afresh.
      assert.deepEqual(await lastContinuation(mesh), ["get_weather"]);

      // The openai client, streamed deltas: three calls with three distinct ids.
      await armFault(mesh);
      const openai = new OpenAI({
        baseURL: `${mesh.url}/v1`,
        apiKey: "unused",
        maxRetries: 0,
        defaultHeaders: prefer,
      });
      const final = await openai.chat.completions.stream({
        model: TOOLS,
        messages: [{ role: "user", content: QUESTION }],
        tools: FUNCTIONS.map((f) => ({ type: "function" as const, function: f })),
      }).finalChatCompletion();
      assert.equal(final.choices[0].finish_reason, "tool_calls");
      const got = (final.choices[0].message.tool_calls ?? []).flatMap((c) =>
        c.type === "function" ? [c] : []
      );
      assert.deepEqual(
        got.map((c) => [c.function.name, JSON.parse(c.function.arguments)]),
        planned.map((c) => [c.name, c.arguments]),
      );
      assert.equal(new Set(got.map((c) => c.id)).size, 3, JSON.stringify(got));
      assert.deepEqual(await lastContinuation(mesh), ["get_weather"]);
    }),
);
