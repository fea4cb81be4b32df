/**
 * The Vercel AI SDK (`ai` with `ollama-ai-provider-v2`, which calls Ollama's `/api/chat`,
 * `/api/generate` and `/api/embed`) through a node without an LLM (node1) to hosts in other
 * namespaces (issue 12): streamText gives the double's answer; a tool loop (zod input schema,
 * `execute`) calls the tool and streams the answer to its result, from the Ollama host and from
 * the OpenAI-compatible host; structured output from a zod schema is parsed; the completion model
 * answers, plain and fill-in-the-middle; embed and embedMany give the double's vectors.
 */
import assert from "node:assert/strict";
import {
  embed,
  embedMany,
  generateText,
  type LanguageModel,
  Output,
  stepCountIs,
  streamText,
  tool,
} from "ai";
import { createOllama } from "ollama-ai-provider-v2";
import { z } from "zod";
import { type ConversationMessage, expectedAnswer, infillInput } from "../ollama_double/answer.ts";
import { expectedEmbedding } from "../ollama_double/embeddings.ts";
import { expectedStructuredAnswer } from "../ollama_double/structured.ts";
import { expectedToolCalls, type ToolSpec } from "../ollama_double/tools.ts";
import { clientLabOptions, EMBED, OPENAI_TOOLS, TOOLS, withClientLab } from "./client_lab.ts";

/** A two-step tool loop as the AI SDK runs it: the model calls the tool, the SDK runs it. */
function weatherLoop(model: LanguageModel, prompt: string, executed: unknown[]) {
  return streamText({
    model,
    prompt,
    tools: {
      get_weather: tool({
        description: "the weather in a city",
        inputSchema: z.object({ city: z.string() }),
        execute: ({ city }) => {
          executed.push(city);
          return Promise.resolve(`snow in ${city}`);
        },
      }),
    },
    stopWhen: stepCountIs(2),
  });
}

Deno.test(
  "the AI SDK with an Ollama provider: streamText, a tool loop, embedMany through a node without an LLM",
  clientLabOptions,
  () =>
    withClientLab(async (mesh) => {
      const ollama = createOllama({ baseURL: `${mesh.url}/api` });

      const prompt = "Why is the sky blue?";
      const result = streamText({ model: ollama(TOOLS), prompt });
      let streamed = "";
      let parts = 0;
      for await (const text of result.textStream) {
        streamed += text;
        parts++;
      }
      const answer = expectedAnswer(TOOLS, [{ role: "user", content: prompt }]);
      assert.equal(streamed, answer);
      assert.ok(parts > 1, `streamed in ${parts} parts`);
      assert.equal(await result.finishReason, "stop");

      const question = "Use get_weather for Oslo.";
      const executed: unknown[] = [];
      const loop = weatherLoop(ollama(TOOLS), question, executed);
      const loopText = await loop.text;
      const [, first, second] = await mesh.doubles.ollamaHost.requests("/api/chat") as {
        messages: unknown[];
        tools?: { function: ToolSpec }[];
      }[];
      // The SDK's JSON schema of the zod input reached the host as it was sent.
      const offered = first.tools!.map((t) => t.function);
      assert.deepEqual(offered.map((t) => [t.name, t.parameters]), [[
        "get_weather",
        {
          $schema: "http://json-schema.org/draft-07/schema#",
          type: "object",
          properties: { city: { type: "string" } },
          required: ["city"],
          additionalProperties: false,
        },
      ]]);
      const [call] = expectedToolCalls(TOOLS, [{ role: "user", content: question }], offered);
      const seen: ConversationMessage[] = [
        { role: "user", content: question },
        {
          role: "assistant",
          content: "",
          tool_calls: [{ name: call.name, arguments: call.arguments }],
        },
        { role: "tool", content: `snow in ${call.arguments.city}` },
      ];
      // What the host got: the assistant's call and the tool's result (no tool_name) in Ollama's shape.
      assert.deepEqual(second.messages, [
        seen[0],
        {
          role: "assistant",
          content: "",
          tool_calls: [{ function: { name: call.name, arguments: call.arguments } }],
        },
        seen[2],
      ]);
      assert.deepEqual(executed, [call.arguments.city]);
      assert.equal(loopText, expectedAnswer(TOOLS, seen));
      const steps = await loop.steps;
      assert.deepEqual(steps.map((s) => s.finishReason), ["tool-calls", "stop"]);

      // A model of the OpenAI-compatible host: the SDK's call has no id and its result neither
      // id nor name; the host gets matching ones.
      const remoteExecuted: unknown[] = [];
      const remoteText = await weatherLoop(ollama(OPENAI_TOOLS), question, remoteExecuted).text;
      const received = (await mesh.doubles.openaiHost.requests("/v1/chat/completions")).at(-1) as {
        messages: { role: string; tool_call_id?: string; tool_calls?: { id: string }[] }[];
      };
      const [remoteCall] = expectedToolCalls(
        OPENAI_TOOLS,
        [{ role: "user", content: question }],
        offered,
      );
      assert.deepEqual(remoteExecuted, [remoteCall.arguments.city]);
      const callId = received.messages[1].tool_calls![0].id;
      assert.equal(received.messages[2].tool_call_id, callId);
      assert.equal(
        remoteText,
        expectedAnswer(OPENAI_TOOLS, [
          seen[0],
          {
            role: "assistant",
            content: "",
            tool_calls: [{ name: remoteCall.name, arguments: remoteCall.arguments }],
          },
          {
            role: "tool",
            content: `snow in ${remoteCall.arguments.city}`,
            tool_call_id: callId,
          },
        ]),
      );

      // Structured output from a zod schema: the provider sends it as `format`.
      const Forecast = z.object({ city: z.string(), high: z.number(), rain: z.boolean() });
      const structured = await generateText({
        model: ollama(TOOLS),
        prompt: "Tomorrow in Lyon?",
        output: Output.object({ schema: Forecast }),
      });
      const { format } = (await mesh.doubles.ollamaHost.requests("/api/chat")).at(-1) as {
        format: { properties: Record<string, unknown> };
      };
      assert.deepEqual(Object.keys(format.properties), ["city", "high", "rain"]);
      const json = expectedStructuredAnswer(
        TOOLS,
        [{ role: "user", content: "Tomorrow in Lyon?" }],
        format,
      );
      assert.deepEqual(structured.output, Forecast.parse(JSON.parse(json)));

      // The provider's completion model (/api/generate, not streamed), plain and with a suffix.
      const code = "def add(a, b):";
      const wrapped = `user:\n${code}\n\nassistant:\n`; // the provider's completion prompt
      const completion = await generateText({ model: ollama.completion(TOOLS), prompt: code });
      assert.equal(completion.text, expectedAnswer(TOOLS, [{ role: "user", content: wrapped }]));
      const suffix = "\n    return c\n";
      const fim = await generateText({ model: ollama.completion(TOOLS, { suffix }), prompt: code });
      assert.equal(fim.text, expectedAnswer(TOOLS, infillInput(wrapped, suffix)));

      const values = Array.from({ length: 20 }, (_, i) => `note ${i}`);
      const many = await embedMany({ model: ollama.embedding(EMBED), values });
      assert.deepEqual(many.embeddings, values.map((v) => expectedEmbedding(EMBED, v, 768)));
      const one = await embed({ model: ollama.embedding(EMBED), value: "alone" });
      assert.deepEqual(one.embedding, expectedEmbedding(EMBED, "alone", 768));
    }),
);
