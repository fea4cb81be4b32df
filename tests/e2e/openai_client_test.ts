/**
 * The real `openai` npm client through a node without an LLM (node1) to hosts in other namespaces
 * (issue 12): streamed chat with tools reassembled by the client's own helpers (`stream()`,
 * `runTools()`), `tool` messages with `tool_call_id`, `tool_choice`, `response_format` with a JSON
 * schema (`parse()` with zod), `/v1/completions` (prompt, max_tokens, stop, stream, suffix) and
 * embeddings — served by the Ollama host (node2) and by the OpenAI-compatible host (node3,
 * `--openai-url`). Every reply equals the Ollama test double's.
 */
import assert from "node:assert/strict";
import OpenAI from "openai";
import { zodResponseFormat } from "openai/helpers/zod";
import { z } from "zod";
import { type ConversationMessage, expectedAnswer, infillInput } from "../ollama_double/answer.ts";
import { expectedEmbedding } from "../ollama_double/embeddings.ts";
import { expectedStructuredAnswer } from "../ollama_double/structured.ts";
import { expectedToolCalls, type PlannedCall, type ToolChoice } from "../ollama_double/tools.ts";
import { clientLabOptions, EMBED, OPENAI_TOOLS, TOOLS, withClientLab } from "./client_lab.ts";

type ChatTool = OpenAI.Chat.Completions.ChatCompletionFunctionTool;

const FUNCTIONS: { name: string; description: string; parameters: Record<string, unknown> }[] = [{
  name: "get_weather",
  description: "the weather in a city",
  parameters: {
    type: "object",
    properties: { city: { type: "string" }, unit: { type: "string", enum: ["C", "F"] } },
    required: ["city", "unit"],
  },
}, {
  name: "get_time",
  description: "the time in a zone",
  parameters: { type: "object", properties: { zone: { type: "string" } }, required: ["zone"] },
}];
const TOOL_LIST: ChatTool[] = FUNCTIONS.map((f) => ({ type: "function", function: f }));
const QUESTION = "Use get_weather for Paris, then get_time there.";
const user = (content: string) => ({ role: "user" as const, content });

/** The double's calls for the question on `model` (its own ids, which an Ollama host lacks). */
const plannedCalls = (model: string, choice?: ToolChoice) =>
  expectedToolCalls(model, [user(QUESTION)], FUNCTIONS, choice);
const resultOf = (call: { name: string }) => `${call.name}: 21 degrees, 14:05`;

/**
 * The conversation the host sees after the calls and their results: an OpenAI host gets each
 * result's `tool_call_id`, an Ollama host the `tool_name` of the call with that id.
 */
function afterResults(calls: PlannedCall[], ollamaHost: boolean): ConversationMessage[] {
  return [
    user(QUESTION),
    {
      role: "assistant",
      content: "",
      tool_calls: calls.map((c) => ({ name: c.name, arguments: c.arguments })),
    },
    ...calls.map((c) => ({
      role: "tool",
      content: resultOf(c),
      ...(ollamaHost ? { tool_name: c.name } : { tool_call_id: c.id }),
    })),
  ];
}

/** A streamed tools round trip on `model`: the client reassembles the deltas, then answers. */
async function streamedRoundTrip(openai: OpenAI, model: string, ollamaHost: boolean) {
  const planned = plannedCalls(model);
  assert.deepEqual(planned.map((c) => c.name), ["get_weather", "get_time"]);
  const stream = openai.chat.completions.stream({
    model,
    messages: [user(QUESTION)],
    tools: TOOL_LIST,
  });
  let fragments = 0;
  stream.on("tool_calls.function.arguments.delta", () => fragments++);
  const whole = await stream.finalChatCompletion();
  const choice = whole.choices[0];
  assert.equal(choice.finish_reason, "tool_calls");
  const calls = (choice.message.tool_calls ?? []).flatMap((c) => c.type === "function" ? [c] : []);
  assert.deepEqual(
    calls.map((c) => ({ name: c.function.name, arguments: JSON.parse(c.function.arguments) })),
    planned.map((c) => ({ name: c.name, arguments: c.arguments })),
  );
  assert.ok(fragments >= planned.length, `argument deltas: ${fragments}`);
  // An OpenAI host's ids arrive unchanged; for an Ollama host's calls the node makes them up.
  if (ollamaHost) {
    assert.ok(calls.every((c) => /^call_/.test(c.id)), JSON.stringify(calls));
    assert.equal(new Set(calls.map((c) => c.id)).size, calls.length);
  } else {
    assert.deepEqual(calls.map((c) => c.id), planned.map((c) => c.id));
  }

  const answer = await openai.chat.completions.create({
    model,
    tools: TOOL_LIST,
    messages: [
      user(QUESTION),
      choice.message as OpenAI.Chat.Completions.ChatCompletionAssistantMessageParam,
      ...calls.map((c) => ({
        role: "tool" as const,
        tool_call_id: c.id,
        content: resultOf(c.function),
      })),
    ],
  });
  const withIds = planned.map((c, i) => ({ ...c, id: calls[i].id }));
  assert.equal(
    answer.choices[0].message.content,
    expectedAnswer(model, afterResults(withIds, ollamaHost)),
  );
  assert.equal(answer.choices[0].finish_reason, "stop");
}

/** The same round trip driven by the client's runTools(): it calls our functions itself. */
async function runToolsRoundTrip(openai: OpenAI, model: string, ollamaHost: boolean) {
  const called: { name: string; arguments: unknown }[] = [];
  const runner = openai.chat.completions.runTools({
    model,
    stream: true,
    messages: [user(QUESTION)],
    tools: FUNCTIONS.map((f) => ({
      type: "function" as const,
      function: {
        ...f,
        parse: (text: string): unknown => JSON.parse(text),
        function: (args: unknown) => {
          called.push({ name: f.name, arguments: args });
          return resultOf(f);
        },
      },
    })),
  });
  const content = await runner.finalContent();
  const planned = plannedCalls(model);
  assert.deepEqual(called, planned.map((c) => ({ name: c.name, arguments: c.arguments })));
  const ids = runner.messages.flatMap((m) => m.role === "tool" ? [m.tool_call_id] : []);
  const withIds = planned.map((c, i) => ({ ...c, id: ids[i] }));
  assert.equal(content, expectedAnswer(model, afterResults(withIds, ollamaHost)));
}

/** `tool_choice` and `parallel_tool_calls` reach the host (as Ollama can take them). */
async function toolChoices(openai: OpenAI, model: string, ollamaHost: boolean) {
  const ask = (tool_choice: OpenAI.Chat.Completions.ChatCompletionToolChoiceOption) =>
    openai.chat.completions.create({
      model,
      messages: [user(QUESTION)],
      tools: TOOL_LIST,
      tool_choice,
    });
  const none = await ask("none");
  assert.equal(none.choices[0].message.tool_calls, undefined);
  assert.equal(none.choices[0].message.content, expectedAnswer(model, [user(QUESTION)]));
  const named = await ask({ type: "function", function: { name: "get_time" } });
  const only = plannedCalls(model, { name: "get_time" });
  assert.deepEqual(
    named.choices[0].message.tool_calls?.map((c) =>
      c.type === "function" &&
      { name: c.function.name, arguments: JSON.parse(c.function.arguments) }
    ),
    only.map((c) => ({ name: c.name, arguments: c.arguments })),
  );
  const single = await openai.chat.completions.create({
    model,
    messages: [user(QUESTION)],
    tools: TOOL_LIST,
    parallel_tool_calls: false,
  });
  assert.deepEqual(
    single.choices[0].message.tool_calls?.map((c) =>
      c.type === "function" &&
      { name: c.function.name, arguments: JSON.parse(c.function.arguments) }
    ),
    plannedCalls(model).slice(0, 1).map((c) => ({ name: c.name, arguments: c.arguments })),
  );
  if (!ollamaHost) {
    // Ollama has no tool_choice; an OpenAI-compatible host honours `required` itself.
    const required = await openai.chat.completions.create({
      model,
      messages: [user("What now?")],
      tools: TOOL_LIST,
      tool_choice: "required",
    });
    assert.deepEqual(
      required.choices[0].message.tool_calls?.map((c) => c.type === "function" && c.function.name),
      ["get_weather"],
    );
  }
}

Deno.test(
  "the openai client: streamed tool calls, tool_choice, json_schema, completions and embeddings through a node without an LLM",
  clientLabOptions,
  () =>
    withClientLab(async (mesh) => {
      const openai = new OpenAI({ baseURL: `${mesh.url}/v1`, apiKey: "unused", maxRetries: 0 });

      for (const [model, ollamaHost] of [[TOOLS, true], [OPENAI_TOOLS, false]] as const) {
        await streamedRoundTrip(openai, model, ollamaHost);
        await runToolsRoundTrip(openai, model, ollamaHost);
        await toolChoices(openai, model, ollamaHost);
      }

      // response_format json_schema from a zod schema, parsed by the client.
      const Weather = z.object({
        city: z.string(),
        temperature: z.number(),
        conditions: z.enum(["sunny", "cloudy", "rain"]),
        hours: z.array(z.number().int()),
      });
      const format = zodResponseFormat(Weather, "weather");
      const asked = [user("The weather in Paris as JSON.")];
      for (const model of [TOOLS, OPENAI_TOOLS]) {
        const parsed = await openai.chat.completions.parse({
          model,
          messages: asked,
          response_format: format,
        });
        const text = expectedStructuredAnswer(model, asked, format.json_schema.schema!);
        assert.equal(parsed.choices[0].message.content, text);
        assert.deepEqual(parsed.choices[0].message.parsed, Weather.parse(JSON.parse(text)));
      }

      // /v1/completions: prompt, max_tokens, stop, stream, suffix.
      const prompt = "def fib(n):\n";
      const promptAnswer = expectedAnswer(TOOLS, [user(prompt)]);
      const plain = await openai.completions.create({ model: TOOLS, prompt });
      assert.equal(plain.object, "text_completion");
      assert.equal(plain.choices[0].text, promptAnswer);
      assert.equal(plain.choices[0].finish_reason, "stop");
      const short = await openai.completions.create({ model: TOOLS, prompt, max_tokens: 5 });
      assert.equal(short.choices[0].text, expectedAnswer(TOOLS, [user(prompt)], 5));
      assert.equal(short.choices[0].finish_reason, "length");
      const stopWord = promptAnswer.split(" ")[6];
      const stopped = await openai.completions.create({ model: TOOLS, prompt, stop: [stopWord] });
      assert.equal(stopped.choices[0].text, promptAnswer.slice(0, promptAnswer.indexOf(stopWord)));
      assert.equal(stopped.choices[0].finish_reason, "stop");
      let streamed = "";
      let finish: string | null = null;
      for await (
        const chunk of await openai.completions.create({ model: TOOLS, prompt, stream: true })
      ) {
        streamed += chunk.choices[0]?.text ?? "";
        finish = chunk.choices[0]?.finish_reason ?? finish;
      }
      assert.equal(streamed, promptAnswer);
      assert.equal(finish, "stop");
      const suffix = "\n    return fib(n - 1) + fib(n - 2)\n";
      const middle = await openai.completions.create({
        model: TOOLS,
        prompt,
        suffix,
        max_tokens: 8,
      });
      assert.equal(middle.choices[0].text, expectedAnswer(TOOLS, infillInput(prompt, suffix), 8));
      let middleStreamed = "";
      for await (
        const chunk of await openai.completions.create({
          model: TOOLS,
          prompt,
          suffix,
          stream: true,
        })
      ) {
        middleStreamed += chunk.choices[0]?.text ?? "";
      }
      assert.equal(middleStreamed, expectedAnswer(TOOLS, infillInput(prompt, suffix)));
      // An OpenAI-compatible host answers a plain completion too (as a chat turn).
      const fromOpenAiHost = await openai.completions.create({ model: OPENAI_TOOLS, prompt });
      assert.equal(fromOpenAiHost.choices[0].text, expectedAnswer(OPENAI_TOOLS, [user(prompt)]));

      // Embeddings with dimensions (float and the client's default base64).
      const texts = ["first text", "second text"];
      for (const encoding_format of ["float", undefined] as const) {
        const { data } = await openai.embeddings.create({
          model: EMBED,
          input: texts,
          dimensions: 64,
          ...(encoding_format ? { encoding_format } : {}),
        });
        assert.deepEqual(
          data.map((d) => d.embedding),
          texts.map((t) => expectedEmbedding(EMBED, t, 768, 64)),
        );
      }
    }),
);
