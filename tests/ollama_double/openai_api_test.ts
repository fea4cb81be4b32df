/**
 * The double's OpenAI-compatible API through the real `openai` npm client and raw fetch, on
 * 127.0.0.1: the answers equal those of Ollama's API for the same conversation.
 */
import assert from "node:assert/strict";
import { withDouble as withClient } from "./_with_double.ts";
import OpenAI from "openai";
import { type ConversationMessage, expectedAnswer, infillInput } from "./answer.ts";
import { decodeFloat32Base64, expectedEmbedding } from "./embeddings.ts";
import { type OllamaDouble, type OllamaDoubleOptions, startOllamaDouble } from "./server.ts";
import { expectedStructuredAnswer } from "./structured.ts";
import { expectedToolCalls, openAiToolCall } from "./tools.ts";

const MODEL = "tinyllama:1.1b";
const EMBED = "nomic-embed-text:latest";

const withDouble = (
  options: OllamaDoubleOptions,
  fn: (double: OllamaDouble, client: OpenAI) => Promise<void>,
) =>
  withClient(
    { models: [MODEL, "nomic-embed-text"], ...options },
    (url) => new OpenAI({ baseURL: `${url}/v1`, apiKey: "unused", maxRetries: 0 }),
    fn,
  );

const post = (url: string, body: unknown) =>
  fetch(url, {
    method: "POST",
    body: JSON.stringify(body),
    headers: { "content-type": "application/json" },
  });

const TOOLS = [
  {
    type: "function" as const,
    function: {
      name: "get_weather",
      parameters: {
        type: "object",
        properties: { city: { type: "string" }, unit: { type: "string", enum: ["c", "f"] } },
        required: ["city"],
      },
    },
  },
  {
    type: "function" as const,
    function: { name: "get_time", parameters: { type: "object", properties: {} } },
  },
];
const SPECS = TOOLS.map((t) => t.function);

Deno.test("openai models: list and retrieve, 404 for an unknown model", async () => {
  await withDouble({}, async (_, client) => {
    const { data } = await client.models.list();
    assert.deepEqual(data.map((m) => m.id), [MODEL, EMBED]);
    assert.deepEqual(Object.keys(data[0]), ["id", "object", "created", "owned_by"]);
    assert.equal((await client.models.retrieve(MODEL)).id, MODEL);
    assert.equal((await client.models.retrieve("nomic-embed-text")).id, EMBED);
    await assert.rejects(
      () => client.models.retrieve("nope"),
      (e: InstanceType<typeof OpenAI.APIError>) => {
        assert.equal(e.status, 404);
        assert.equal(e.code, "model_not_found");
        return true;
      },
    );
  });
});

Deno.test("openai chat: whole and streamed answers equal the Ollama API's answer", async () => {
  await withDouble({ tokens: 6 }, async (_, client) => {
    const messages = [{ role: "system" as const, content: "be brief" }, {
      role: "user" as const,
      content: "hi",
    }];
    const whole = await client.chat.completions.create({ model: MODEL, messages });
    assert.equal(whole.object, "chat.completion");
    assert.equal(whole.choices[0].message.content, expectedAnswer(MODEL, messages, 6));
    assert.equal(whole.choices[0].finish_reason, "stop");
    assert.deepEqual(whole.usage, { prompt_tokens: 7, completion_tokens: 6, total_tokens: 13 });

    const stream = await client.chat.completions.create({
      model: MODEL,
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    assert.equal(chunks[0].choices[0].delta.role, "assistant");
    assert.equal(
      chunks.map((c) => c.choices[0]?.delta.content ?? "").join(""),
      expectedAnswer(MODEL, messages, 6),
    );
    assert.equal(chunks.at(-2)!.choices[0].finish_reason, "stop");
    assert.deepEqual(chunks.at(-1)!.choices, []);
    assert.equal(chunks.at(-1)!.usage?.completion_tokens, 6);
    assert.equal(new Set(chunks.map((c) => c.id)).size, 1, "one id for the whole stream");
  });
});

Deno.test("openai chat: max_tokens and stop", async () => {
  await withDouble({}, async (_, client) => {
    const messages = [{ role: "user" as const, content: "q" }];
    const cut = await client.chat.completions.create({ model: MODEL, messages, max_tokens: 3 });
    assert.equal(cut.choices[0].message.content, expectedAnswer(MODEL, messages, 3));
    assert.equal(cut.choices[0].finish_reason, "length");
    const full = expectedAnswer(MODEL, messages);
    const stop = full.split(" ")[2];
    const stopped = await client.chat.completions.create({ model: MODEL, messages, stop });
    assert.equal(stopped.choices[0].message.content, full.slice(0, full.indexOf(stop)));
  });
});

Deno.test("openai chat with tools: streamed tool_calls deltas with ids and argument fragments", async () => {
  await withDouble({}, async (_, client) => {
    const messages = [{ role: "user" as const, content: "get_weather and get_time please" }];
    const planned = expectedToolCalls(MODEL, messages, SPECS);
    assert.equal(planned.length, 2);
    const stream = await client.chat.completions.create({
      model: MODEL,
      messages,
      tools: TOOLS,
      stream: true,
    });
    const calls: { id: string; name: string; args: string; fragments: number }[] = [];
    let finish: string | null = null;
    for await (const chunk of stream) {
      const choice = chunk.choices[0];
      finish = choice.finish_reason ?? finish;
      for (const delta of choice.delta.tool_calls ?? []) {
        if (delta.id) {
          calls[delta.index] = {
            id: delta.id,
            name: delta.function!.name!,
            args: "",
            fragments: 0,
          };
        } else calls[delta.index].fragments++;
        calls[delta.index].args += delta.function?.arguments ?? "";
      }
    }
    assert.equal(finish, "tool_calls");
    assert.deepEqual(
      calls.map((c) => ({
        id: c.id,
        type: "function",
        function: { name: c.name, arguments: c.args },
      })),
      planned.map(openAiToolCall),
    );
    assert.ok(calls[0].fragments > 1, "get_weather's arguments arrive in several fragments");
    assert.equal(calls[1].args, "{}");

    const whole = await client.chat.completions.create({ model: MODEL, messages, tools: TOOLS });
    assert.equal(whole.choices[0].finish_reason, "tool_calls");
    assert.equal(whole.choices[0].message.content, null);
    assert.deepEqual(whole.choices[0].message.tool_calls, planned.map(openAiToolCall));
  });
});

Deno.test("openai chat: tool results with tool_call_id are answered with text", async () => {
  await withDouble({ tokens: 5 }, async (_, client) => {
    const ask = { role: "user" as const, content: "get_weather in Oslo" };
    const [call] = expectedToolCalls(MODEL, [ask], SPECS);
    const reply = await client.chat.completions.create({
      model: MODEL,
      tools: TOOLS,
      messages: [
        ask,
        {
          role: "assistant",
          content: null,
          tool_calls: [openAiToolCall(call) as OpenAI.ChatCompletionMessageToolCall],
        },
        { role: "tool", tool_call_id: call.id, content: "-3 degrees" },
      ],
    });
    const conversation: ConversationMessage[] = [
      ask,
      {
        role: "assistant",
        content: "",
        tool_calls: [{ name: call.name, arguments: call.arguments }],
      },
      { role: "tool", content: "-3 degrees", tool_call_id: call.id },
    ];
    assert.equal(reply.choices[0].message.content, expectedAnswer(MODEL, conversation, 5));
  });
});

Deno.test("openai chat: tool_choice none, required, a named tool and parallel_tool_calls", async () => {
  await withDouble({}, async (double, client) => {
    const messages = [{ role: "user" as const, content: "get_weather and get_time please" }];
    const create = (extra: Partial<OpenAI.ChatCompletionCreateParamsNonStreaming>) =>
      client.chat.completions.create({ model: MODEL, messages, tools: TOOLS, ...extra });
    assert.equal((await create({ tool_choice: "none" })).choices[0].message.tool_calls, undefined);
    const named = await create({
      tool_choice: { type: "function", function: { name: "get_time" } },
    });
    assert.deepEqual(
      named.choices[0].message.tool_calls?.map((c) =>
        (c as { function: { name: string } }).function.name
      ),
      ["get_time"],
    );
    assert.equal(
      (await create({ parallel_tool_calls: false })).choices[0].message.tool_calls?.length,
      1,
    );
    const required = await client.chat.completions.create({
      model: MODEL,
      messages: [{ role: "user", content: "hello" }],
      tools: TOOLS,
      tool_choice: "required",
    });
    assert.equal(required.choices[0].message.tool_calls?.length, 1);
    const bad = await post(`${double.url}/v1/chat/completions`, {
      model: MODEL,
      messages,
      tools: TOOLS,
      tool_choice: { type: "function", function: { name: "nope" } },
    });
    assert.equal(bad.status, 400);
    assert.equal((await bad.json()).error.param, "tool_choice");
  });
});

Deno.test("openai chat: response_format json_object and json_schema", async () => {
  await withDouble({ tokens: 4 }, async (_, client) => {
    const messages = [{ role: "user" as const, content: "describe" }];
    const object = await client.chat.completions.create({
      model: MODEL,
      messages,
      response_format: { type: "json_object" },
    });
    assert.deepEqual(JSON.parse(object.choices[0].message.content!), {
      answer: expectedAnswer(MODEL, messages, 4),
    });
    const schema = {
      type: "object",
      properties: { name: { type: "string" }, n: { type: "integer" } },
      required: ["name", "n"],
    };
    const typed = await client.chat.completions.create({
      model: MODEL,
      messages,
      response_format: {
        type: "json_schema",
        json_schema: { name: "thing", schema, strict: true },
      },
    });
    assert.equal(
      typed.choices[0].message.content,
      expectedStructuredAnswer(MODEL, messages, schema, 4),
    );
  });
});

Deno.test("openai completions: prompt, max_tokens, stop, stream and suffix", async () => {
  await withDouble({ tokens: 6 }, async (_, client) => {
    const whole = await client.completions.create({ model: MODEL, prompt: "once upon" });
    assert.equal(whole.object, "text_completion");
    assert.equal(whole.choices[0].text, expectedAnswer(MODEL, "once upon", 6));
    assert.equal(whole.choices[0].finish_reason, "stop");
    const short = await client.completions.create({
      model: MODEL,
      prompt: "once upon",
      max_tokens: 2,
    });
    assert.equal(short.choices[0].text, expectedAnswer(MODEL, "once upon", 2));
    assert.equal(short.choices[0].finish_reason, "length");
    const infill = await client.completions.create({
      model: MODEL,
      prompt: "def f(x):",
      suffix: "  return y",
    });
    assert.equal(
      infill.choices[0].text,
      expectedAnswer(MODEL, infillInput("def f(x):", "  return y"), 6),
    );
    let streamed = "";
    let finish: string | null = null;
    for await (
      const c of await client.completions.create({
        model: MODEL,
        prompt: "once upon",
        stream: true,
      })
    ) {
      streamed += c.choices[0]?.text ?? "";
      finish = c.choices[0]?.finish_reason ?? finish;
    }
    assert.equal(streamed, whole.choices[0].text);
    assert.equal(finish, "stop");
    const full = whole.choices[0].text;
    const stop = full.split(" ")[1];
    const stopped = await client.completions.create({
      model: MODEL,
      prompt: "once upon",
      stop: [stop],
    });
    assert.equal(stopped.choices[0].text, full.slice(0, full.indexOf(stop)));
  });
});

Deno.test("openai embeddings: float and base64, batches and dimensions", async () => {
  await withDouble({}, async (double, client) => {
    // the client asks for base64 by default and decodes it
    const viaClient = await client.embeddings.create({
      model: "nomic-embed-text",
      input: ["a", "b c"],
    });
    assert.deepEqual(viaClient.data.map((d) => d.embedding), [
      expectedEmbedding(EMBED, "a", 768),
      expectedEmbedding(EMBED, "b c", 768),
    ]);
    assert.deepEqual(viaClient.usage, { prompt_tokens: 3, total_tokens: 3 });
    const floats = await client.embeddings.create({
      model: EMBED,
      input: "a",
      encoding_format: "float",
      dimensions: 8,
    });
    assert.deepEqual(floats.data[0].embedding, expectedEmbedding(EMBED, "a", 768, 8));
    const raw = await (await post(`${double.url}/v1/embeddings`, {
      model: EMBED,
      input: "a",
      encoding_format: "base64",
    })).json();
    assert.equal(typeof raw.data[0].embedding, "string");
    assert.deepEqual(
      decodeFloat32Base64(raw.data[0].embedding),
      expectedEmbedding(EMBED, "a", 768),
    );
    assert.deepEqual(Object.keys(raw), ["object", "data", "model", "usage"]);
    const empty = await post(`${double.url}/v1/embeddings`, { model: EMBED, input: "" });
    assert.equal(empty.status, 400);
    assert.equal((await empty.json()).error.param, "input");
  });
});

Deno.test("openai errors: unknown model, bad body, faults in OpenAI's shape", async () => {
  await withDouble(
    { fault: { kind: "http500", endpoints: ["v1.chat"], times: 1 } },
    async (double, client) => {
      const messages = [{ role: "user" as const, content: "x" }];
      await assert.rejects(
        () => client.chat.completions.create({ model: MODEL, messages }),
        (e: InstanceType<typeof OpenAI.APIError>) => e.status === 500 && e.type === "server_error",
      );
      await assert.rejects(
        () => client.chat.completions.create({ model: "nope", messages }),
        (e: InstanceType<typeof OpenAI.APIError>) =>
          e.status === 404 && e.code === "model_not_found",
      );
      const bad = await post(`${double.url}/v1/chat/completions`, { model: MODEL });
      assert.equal(bad.status, 400);
      assert.deepEqual(Object.keys((await bad.json()).error), ["message", "type", "param", "code"]);
      const notJson = await fetch(`${double.url}/v1/completions`, { method: "POST", body: "{" });
      assert.match((await notJson.json()).error.message, /invalid JSON/);
    },
  );
});

Deno.test("a stall mid-stream on /v1/chat/completions keeps the connection open", async () => {
  await withDouble({ fault: { kind: "stall", afterTokens: 2 } }, async (double) => {
    const abort = new AbortController();
    const response = await fetch(`${double.url}/v1/chat/completions`, {
      method: "POST",
      body: JSON.stringify({
        model: MODEL,
        stream: true,
        messages: [{ role: "user", content: "x" }],
      }),
      signal: abort.signal,
    });
    assert.equal(response.headers.get("content-type"), "text/event-stream");
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    while ((text.match(/^data: /gm) ?? []).length < 2) text += (await reader.read()).value;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const next = await Promise.race([
      reader.read(),
      new Promise((r) => timer = setTimeout(() => r("silent"), 150)),
    ]);
    clearTimeout(timer);
    assert.equal(next, "silent");
    abort.abort();
    await reader.cancel().catch(() => {});
    await double.waitFor((s) => s.cancelled === 1 && s.activeStreams === 0);
  });
});

Deno.test("apis: an OpenAI-only server has no /api, an Ollama-only one no /v1", async () => {
  await withDouble({ apis: ["openai"] }, async (double, client) => {
    assert.equal((await fetch(`${double.url}/api/tags`)).status, 404);
    assert.equal((await fetch(`${double.url}/`)).status, 404);
    assert.equal((await client.models.list()).data.length, 2);
  });
  await withDouble({ apis: ["ollama"] }, async (double) => {
    assert.equal((await fetch(`${double.url}/v1/models`)).status, 404);
    assert.equal((await fetch(`${double.url}/api/tags`)).status, 200);
  });
  await assert.rejects(
    () => startOllamaDouble({ apis: [] }),
    /apis must name ollama and\/or openai/,
  );
});
