/**
 * The real `ollama` npm client through a node without an LLM (node1) to the Ollama host in another
 * namespace (issue 12): a chat with tools round trip, streamed and whole; `/api/generate` with
 * `suffix` (fill-in-the-middle) and `raw`; `format` with a JSON schema. Every reply equals the
 * Ollama test double's.
 */
import assert from "node:assert/strict";
import { type Message, Ollama, type Tool } from "ollama";
import {
  type ConversationMessage,
  expectedAnswer,
  infillInput,
  rawInput,
} from "../ollama_double/answer.ts";
import { expectedStructuredAnswer } from "../ollama_double/structured.ts";
import { expectedToolCalls, ollamaToolCall } from "../ollama_double/tools.ts";
import { clientLabOptions, OPENAI_TOOLS, TOOLS, withClientLab } from "./client_lab.ts";

const WEATHER_TOOLS: Tool[] = [{
  type: "function",
  function: {
    name: "get_weather",
    description: "the weather in a city",
    parameters: {
      type: "object",
      properties: { city: { type: "string" }, unit: { type: "string", enum: ["C", "F"] } },
      required: ["city"],
    },
  },
}, {
  type: "function",
  function: {
    name: "get_time",
    description: "the time in a zone",
    parameters: { type: "object", properties: { zone: { type: "string" } }, required: ["zone"] },
  },
}];
const QUESTION = "Use get_weather for Paris, then get_time there.";

Deno.test(
  "the ollama client: tools, fill-in-the-middle, raw and JSON-schema format through a node without an LLM",
  clientLabOptions,
  () =>
    withClientLab(async (mesh) => {
      const ollama = new Ollama({ host: mesh.url });
      const question: Message[] = [{ role: "user", content: QUESTION }];
      const calls = expectedToolCalls(
        TOOLS,
        [{ role: "user", content: QUESTION }],
        WEATHER_TOOLS.map((t) => ({ name: t.function.name!, parameters: t.function.parameters })),
      );
      assert.deepEqual(calls.map((c) => c.name), ["get_weather", "get_time"]);

      // Whole: the calls in message.tool_calls, no text.
      const whole = await ollama.chat({ model: TOOLS, messages: question, tools: WEATHER_TOOLS });
      assert.deepEqual(whole.message.tool_calls, calls.map(ollamaToolCall));
      assert.equal(whole.message.content, "");
      assert.equal(whole.done_reason, "stop");

      // Streamed: each call whole in a chunk of its own, then the done object.
      const streamed = [];
      let chunks = 0;
      for await (
        const part of await ollama.chat({
          model: TOOLS,
          messages: question,
          tools: WEATHER_TOOLS,
          stream: true,
        })
      ) {
        chunks++;
        if (part.message.tool_calls) {
          assert.equal(part.message.tool_calls.length, 1, "one call per chunk");
          streamed.push(...part.message.tool_calls);
        }
      }
      assert.deepEqual(streamed, calls.map(ollamaToolCall));
      assert.ok(chunks >= calls.length + 1, `calls and a done object, got ${chunks} chunks`);

      // The round trip: the assistant's calls and one `tool` message per call (tool_name).
      const results = calls.map((c) => ({
        role: "tool",
        content: `${c.name} says ${JSON.stringify(c.arguments)}`,
        tool_name: c.name,
      }));
      const followUp: Message[] = [
        ...question,
        { role: "assistant", content: "", tool_calls: whole.message.tool_calls },
        ...results,
      ];
      const seen: ConversationMessage[] = [
        { role: "user", content: QUESTION },
        {
          role: "assistant",
          content: "",
          tool_calls: calls.map((c) => ({ name: c.name, arguments: c.arguments })),
        },
        ...results,
      ];
      const answer = await ollama.chat({ model: TOOLS, messages: followUp, tools: WEATHER_TOOLS });
      assert.equal(answer.message.content, expectedAnswer(TOOLS, seen));
      assert.equal(answer.message.tool_calls, undefined);
      let text = "";
      for await (
        const part of await ollama.chat({
          model: TOOLS,
          messages: followUp,
          tools: WEATHER_TOOLS,
          stream: true,
        })
      ) {
        assert.equal(part.message.tool_calls, undefined);
        text += part.message.content;
      }
      assert.equal(text, expectedAnswer(TOOLS, seen));

      // The same round trip with a model of the OpenAI-compatible host: the calls come with its
      // ids, and each `tool` result (known to Ollama's clients by name) reaches it with the id of
      // the call it answers, as OpenAI-compatible servers require.
      const remote = expectedToolCalls(
        OPENAI_TOOLS,
        [{ role: "user", content: QUESTION }],
        WEATHER_TOOLS.map((t) => ({ name: t.function.name!, parameters: t.function.parameters })),
      );
      const remoteCalls = await ollama.chat({
        model: OPENAI_TOOLS,
        messages: question,
        tools: WEATHER_TOOLS,
      });
      assert.deepEqual(
        remoteCalls.message.tool_calls,
        remote.map((c, i) => ({ id: c.id, ...ollamaToolCall(c, i) })),
      );
      const remoteResults = remote.map((c) => ({
        role: "tool",
        content: `${c.name} says ${JSON.stringify(c.arguments)}`,
        tool_name: c.name,
      }));
      const remoteAnswer = await ollama.chat({
        model: OPENAI_TOOLS,
        tools: WEATHER_TOOLS,
        // the results in the other order: matched by name, not position
        messages: [...question, remoteCalls.message, ...remoteResults.toReversed()],
      });
      const received = (await mesh.doubles.openaiHost.requests("/v1/chat/completions")).at(-1) as {
        messages: { role: string; tool_call_id?: string; tool_calls?: { id: string }[] }[];
      };
      assert.deepEqual(received.messages[1].tool_calls?.map((c) => c.id), remote.map((c) => c.id));
      assert.deepEqual(
        received.messages.filter((m) => m.role === "tool").map((m) => m.tool_call_id),
        remote.map((c) => c.id).toReversed(),
      );
      assert.equal(
        remoteAnswer.message.content,
        expectedAnswer(OPENAI_TOOLS, [
          { role: "user", content: QUESTION },
          {
            role: "assistant",
            content: "",
            tool_calls: remote.map((c) => ({ name: c.name, arguments: c.arguments })),
          },
          ...remote.toReversed().map((c, i) => ({
            role: "tool",
            content: remoteResults.toReversed()[i].content,
            tool_call_id: c.id,
          })),
        ]),
      );

      // Fill-in-the-middle: the middle between prompt and suffix, whole and streamed.
      const prompt = "def add(a, b):\n";
      const suffix = "\n    return c\n";
      const middle = expectedAnswer(TOOLS, infillInput(prompt, suffix));
      const fim = await ollama.generate({ model: TOOLS, prompt, suffix });
      assert.equal(fim.response, middle);
      let fimStreamed = "";
      for await (
        const part of await ollama.generate({ model: TOOLS, prompt, suffix, stream: true })
      ) {
        fimStreamed += part.response;
      }
      assert.equal(fimStreamed, middle);
      const cut = await ollama.generate({
        model: TOOLS,
        prompt,
        suffix,
        options: { num_predict: 4 },
      });
      assert.equal(cut.response, expectedAnswer(TOOLS, infillInput(prompt, suffix), 4));
      assert.equal(cut.done_reason, "length");

      // raw: the prompt reaches the host's model untemplated (the double answers it differently).
      const rawPrompt = "[INST] continue this [/INST]";
      const raw = await ollama.generate({ model: TOOLS, prompt: rawPrompt, raw: true });
      assert.equal(raw.response, expectedAnswer(TOOLS, rawInput(rawPrompt)));
      assert.notEqual(raw.response, expectedAnswer(TOOLS, rawPrompt));
      const plain = await ollama.generate({ model: TOOLS, prompt: rawPrompt });
      assert.equal(plain.response, expectedAnswer(TOOLS, [{ role: "user", content: rawPrompt }]));

      // format with a JSON schema passes through: a value matching it, in chat and generate.
      const schema = {
        type: "object",
        properties: {
          city: { type: "string" },
          temperature: { type: "number", minimum: -40, maximum: 50 },
          sunny: { type: "boolean" },
          days: { type: "array", items: { type: "integer" }, minItems: 3 },
        },
        required: ["city", "temperature", "sunny", "days"],
      };
      const asked = [{ role: "user", content: "Describe the weather as JSON." }];
      const structured = await ollama.chat({ model: TOOLS, messages: asked, format: schema });
      assert.equal(structured.message.content, expectedStructuredAnswer(TOOLS, asked, schema));
      const value = JSON.parse(structured.message.content);
      assert.deepEqual(Object.keys(value), ["city", "temperature", "sunny", "days"]);
      assert.equal(value.days.length, 3);
      let structuredStream = "";
      for await (
        const part of await ollama.chat({
          model: TOOLS,
          messages: asked,
          format: schema,
          stream: true,
        })
      ) {
        structuredStream += part.message.content;
      }
      assert.equal(structuredStream, expectedStructuredAnswer(TOOLS, asked, schema));
      const json = await ollama.chat({ model: TOOLS, messages: asked, format: "json" });
      assert.deepEqual(JSON.parse(json.message.content), {
        answer: expectedAnswer(TOOLS, asked),
      });
    }),
);
