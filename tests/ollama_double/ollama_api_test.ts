/**
 * Ollama's embeddings, tool calling, fill-in-the-middle, raw, images and structured outputs on
 * the double, through the real `ollama` npm client and raw fetch, on 127.0.0.1.
 */
import assert from "node:assert/strict";
import { withDouble as withClient } from "./_with_double.ts";
import { Ollama } from "ollama";
import {
  type ConversationMessage,
  expectedAnswer,
  imagesInput,
  infillInput,
  rawInput,
} from "./answer.ts";
import { expectedEmbedding } from "./embeddings.ts";
import { type OllamaDouble, type OllamaDoubleOptions } from "./server.ts";
import { expectedStructuredAnswer } from "./structured.ts";
import { expectedToolCalls, ollamaToolCall } from "./tools.ts";

const MODEL = "tinyllama:1.1b";
const EMBED = "nomic-embed-text:latest";

const withDouble = (
  options: OllamaDoubleOptions,
  fn: (double: OllamaDouble, client: Ollama) => Promise<void>,
) =>
  withClient(
    { models: [MODEL, "nomic-embed-text"], ...options },
    (host) => new Ollama({ host }),
    fn,
  );

const post = (url: string, body: unknown, signal?: AbortSignal) =>
  fetch(url, { method: "POST", body: JSON.stringify(body), signal });

async function expectError(response: Response, status: number, error: string | RegExp) {
  assert.equal(response.status, status);
  const body = await response.json();
  if (typeof error === "string") assert.equal(body.error, error);
  else assert.match(body.error, error);
}

// --- embeddings ----------------------------------------------------------------------------

Deno.test("ollama embed: single and batched input give expectedEmbedding() exactly", async () => {
  await withDouble({}, async (double, client) => {
    const one = await client.embed({ model: "nomic-embed-text", input: "why is the sky blue?" });
    assert.equal(one.model, "nomic-embed-text", "the model as requested");
    assert.deepEqual(one.embeddings, [expectedEmbedding(EMBED, "why is the sky blue?", 768)]);
    assert.equal(one.prompt_eval_count, 5);
    assert.ok(one.total_duration > 0 && one.load_duration > 0);
    const texts = Array.from({ length: 50 }, (_, i) => `text ${i}`);
    const batch = await client.embed({ model: EMBED, input: texts });
    assert.deepEqual(batch.embeddings, texts.map((t) => expectedEmbedding(EMBED, t, 768)));
    assert.equal(batch.prompt_eval_count, 100);
    assert.equal(double.embeddings, 51);
    assert.deepEqual((await client.ps()).models.map((m) => m.name), [EMBED], "embedding loads");
  });
});

Deno.test("ollama embed: dimensions, the model's own length, truncate and empty input", async () => {
  await withDouble({
    models: [{ name: "e-embed:1", embeddingLength: 16, contextLength: 3 }, MODEL],
  }, async (double, client) => {
    const cut = await client.embed({ model: "e-embed:1", input: "a b", dimensions: 4 });
    assert.deepEqual(cut.embeddings, [expectedEmbedding("e-embed:1", "a b", 16, 4)]);
    const chatModel = await client.embed({ model: MODEL, input: "a" });
    assert.equal(chatModel.embeddings[0].length, 384, "a chat model embeds with its own length");
    const long = await client.embed({ model: "e-embed:1", input: "one two three four five" });
    assert.deepEqual(long.embeddings, [expectedEmbedding("e-embed:1", "one two three", 16)]);
    assert.equal(long.prompt_eval_count, 3);
    await expectError(
      await post(`${double.url}/api/embed`, {
        model: "e-embed:1",
        input: "1 2 3 4",
        truncate: false,
      }),
      400,
      "input length exceeds maximum context length",
    );
    for (const input of ["", []]) {
      const empty = await (await post(`${double.url}/api/embed`, { model: "e-embed:1", input }))
        .json();
      assert.deepEqual(empty.embeddings, []);
    }
    await expectError(
      await post(`${double.url}/api/embed`, { model: "e-embed:1", input: [1, 2] }),
      400,
      "invalid input type",
    );
    await expectError(
      await post(`${double.url}/api/embed`, { model: "nope", input: "x" }),
      404,
      "model 'nope' not found",
    );
  });
});

Deno.test("ollama embeddings (legacy): prompt to one embedding", async () => {
  await withDouble({}, async (double, client) => {
    const { embedding } = await client.embeddings({ model: EMBED, prompt: "llamas" });
    assert.deepEqual(embedding, expectedEmbedding(EMBED, "llamas", 768));
    const empty = await (await post(`${double.url}/api/embeddings`, { model: EMBED })).json();
    assert.deepEqual(empty, { embedding: [] });
  });
});

Deno.test("capabilities: an embedding model cannot chat, a chat-only model cannot embed", async () => {
  await withDouble({
    models: ["nomic-embed-text", { name: "plain:1b", capabilities: ["completion"] }],
  }, async (double) => {
    const u = double.url;
    const ask = [{ role: "user", content: "hi" }];
    await expectError(
      await post(`${u}/api/chat`, { model: "nomic-embed-text", messages: ask }),
      400,
      '"nomic-embed-text" does not support chat',
    );
    await expectError(
      await post(`${u}/api/generate`, { model: "nomic-embed-text", prompt: "x" }),
      400,
      '"nomic-embed-text" does not support generate',
    );
    await expectError(
      await post(`${u}/api/embed`, { model: "plain:1b", input: "x" }),
      400,
      '"plain:1b" does not support embedding',
    );
    const tools = [{ type: "function", function: { name: "f" } }];
    await expectError(
      await post(`${u}/api/chat`, { model: "plain:1b", messages: ask, tools }),
      400,
      '"plain:1b" does not support tools',
    );
    await expectError(
      await post(`${u}/api/generate`, { model: "plain:1b", prompt: "a", suffix: "b" }),
      400,
      '"plain:1b" does not support insert',
    );
    const show = await (await post(`${u}/api/show`, { model: "nomic-embed-text" })).json();
    assert.deepEqual(show.capabilities, ["embedding"]);
    assert.equal(show.model_info["nomic.embedding_length"], 768);
  });
});

Deno.test("fault on embed: http500, and a stall that holds the request until the client leaves", async () => {
  await withDouble({
    fault: { kind: "http500", endpoints: ["embed"], times: 1, message: "runner died" },
  }, async (double, client) => {
    await assert.rejects(() => client.embed({ model: EMBED, input: "x" }), /runner died/);
    assert.equal((await client.embed({ model: EMBED, input: "x" })).embeddings.length, 1);
    await double.setFault({ kind: "stall", endpoints: ["embed", "embeddings"] });
    const abort = new AbortController();
    let settled = false;
    const pending = post(`${double.url}/api/embed`, { model: EMBED, input: "x" }, abort.signal)
      .finally(() => settled = true);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(settled, false);
    abort.abort();
    await assert.rejects(pending);
    assert.equal(double.embeddings, 1, "the stalled request embedded nothing");
  });
});

// --- tool calling ---------------------------------------------------------------------------

const WEATHER_TOOL = {
  type: "function",
  function: {
    name: "get_current_weather",
    description: "Get the current weather for a location",
    parameters: {
      type: "object",
      properties: {
        location: { type: "string" },
        format: { type: "string", enum: ["celsius", "fahrenheit"] },
      },
      required: ["location", "format"],
    },
  },
};
const TIME_TOOL = {
  type: "function",
  function: { name: "get_time", parameters: { type: "object", properties: {} } },
};
const TOOL_SPECS = [WEATHER_TOOL.function, TIME_TOOL.function];

Deno.test("ollama chat with tools: tool_calls, then the tool result is answered", async () => {
  await withDouble({ tokens: 6 }, async (_, client) => {
    const ask = [{ role: "user", content: "get_current_weather in Paris?" }];
    const planned = expectedToolCalls(MODEL, ask, TOOL_SPECS);
    assert.equal(planned.length, 1);
    const reply = await client.chat({
      model: MODEL,
      messages: ask,
      tools: [WEATHER_TOOL, TIME_TOOL],
    });
    assert.equal(reply.message.content, "");
    assert.deepEqual(reply.message.tool_calls, planned.map(ollamaToolCall));
    assert.equal(reply.done_reason, "stop");

    const call = planned[0];
    const followUp = [
      ...ask,
      {
        role: "assistant",
        content: "",
        tool_calls: [{ function: { name: call.name, arguments: call.arguments } }],
      },
      { role: "tool", content: "22 degrees", tool_name: call.name },
    ];
    const answer = await client.chat({ model: MODEL, messages: followUp, tools: [WEATHER_TOOL] });
    const expected: ConversationMessage[] = [
      ...ask,
      {
        role: "assistant",
        content: "",
        tool_calls: [{ name: call.name, arguments: call.arguments }],
      },
      { role: "tool", content: "22 degrees", tool_name: call.name },
    ];
    assert.equal(answer.message.content, expectedAnswer(MODEL, expected, 6));
    assert.equal(answer.message.tool_calls, undefined);
  });
});

Deno.test("ollama chat with tools streams each call in its own chunk", async () => {
  await withDouble({}, async (double, client) => {
    const ask = [{ role: "user", content: "get_time, then get_current_weather" }];
    const planned = expectedToolCalls(MODEL, ask, TOOL_SPECS);
    assert.deepEqual(planned.map((c) => c.name), ["get_time", "get_current_weather"]);
    const chunks = [];
    for await (
      const c of await client.chat({
        model: MODEL,
        messages: ask,
        tools: [WEATHER_TOOL, TIME_TOOL],
        stream: true,
      })
    ) chunks.push(c);
    assert.deepEqual(chunks.map((c) => c.message.tool_calls), [
      [ollamaToolCall(planned[0], 0)],
      [ollamaToolCall(planned[1], 1)],
      undefined,
    ]);
    assert.ok(chunks.at(-1)!.done);
    assert.equal(double.completed, 1);
  });
});

Deno.test("a re-issue after a broken tool-call stream gets only the remaining calls", async () => {
  await withDouble(
    { fault: { kind: "closeMidStream", afterTokens: 1, times: 1 } },
    async (double) => {
      const ask = [{ role: "user", content: "get_time, then get_current_weather" }];
      const planned = expectedToolCalls(MODEL, ask, TOOL_SPECS);
      const body = { model: MODEL, messages: ask, tools: [WEATHER_TOOL, TIME_TOOL] };
      const broken = await post(`${double.url}/api/chat`, body);
      await assert.rejects(broken.text());
      const delivered = { function: { name: planned[0].name, arguments: planned[0].arguments } };
      const rest = await (await post(`${double.url}/api/chat`, {
        ...body,
        stream: false,
        messages: [...ask, { role: "assistant", content: "", tool_calls: [delivered] }],
      })).json();
      assert.deepEqual(rest.message.tool_calls, [ollamaToolCall(planned[1], 1)]);
      assert.equal(double.continued, 1);
    },
  );
});

// --- generate: suffix, raw, images, format, stop -----------------------------------------------

Deno.test("ollama generate with suffix answers a deterministic middle", async () => {
  await withDouble({ tokens: 5 }, async (_, client) => {
    const reply = await client.generate({
      model: MODEL,
      prompt: "def gcd(a, b):",
      suffix: "    return a",
    });
    assert.equal(
      reply.response,
      expectedAnswer(MODEL, infillInput("def gcd(a, b):", "    return a"), 5),
    );
    let streamed = "";
    for await (
      const c of await client.generate({
        model: MODEL,
        prompt: "def gcd(a, b):",
        suffix: "    return a",
        stream: true,
      })
    ) streamed += c.response;
    assert.equal(streamed, reply.response);
  });
});

Deno.test("ollama generate raw answers without context; images are part of the prompt", async () => {
  await withDouble({ tokens: 4 }, async (double, client) => {
    const raw = await client.generate({ model: MODEL, prompt: "[INST] hi [/INST]", raw: true });
    assert.equal(raw.response, expectedAnswer(MODEL, rawInput("[INST] hi [/INST]"), 4));
    assert.equal(raw.context, undefined, "raw mode returns no context");
    const image = btoa("a tiny png");
    const seen = await client.generate({ model: MODEL, prompt: "what is this?", images: [image] });
    assert.equal(seen.response, expectedAnswer(MODEL, imagesInput("what is this?", [image]), 4));
    await expectError(
      await post(`${double.url}/api/generate`, {
        model: MODEL,
        prompt: "x",
        images: ["not base64!"],
      }),
      400,
      /images.0: illegal base64 data/,
    );
    const chat = await client.chat({
      model: MODEL,
      messages: [{ role: "user", content: "x", images: [image] }],
    });
    assert.equal(
      chat.message.content,
      expectedAnswer(MODEL, [{ role: "user", content: "x", images: [image] }], 4),
    );
  });
});

Deno.test("format json and a JSON schema give valid JSON, streamed in several chunks", async () => {
  await withDouble({ tokens: 5 }, async (_, client) => {
    const schema = {
      type: "object",
      properties: { age: { type: "integer" }, available: { type: "boolean" } },
      required: ["age", "available"],
    };
    const reply = await client.generate({ model: MODEL, prompt: "Ollama is 22", format: schema });
    assert.equal(reply.response, expectedStructuredAnswer(MODEL, "Ollama is 22", schema, 5));
    const value = JSON.parse(reply.response);
    assert.deepEqual(Object.keys(value), ["age", "available"]);
    assert.ok(Number.isInteger(value.age) && typeof value.available === "boolean");
    const ask = [{ role: "user", content: "json please" }];
    const parts: string[] = [];
    for await (
      const c of await client.chat({ model: MODEL, messages: ask, format: "json", stream: true })
    ) {
      parts.push(c.message.content);
    }
    assert.ok(parts.length > 3);
    assert.deepEqual(JSON.parse(parts.join("")), { answer: expectedAnswer(MODEL, ask, 5) });
  });
});

Deno.test("options.stop ends the answer before the stop sequence", async () => {
  await withDouble({}, async (_, client) => {
    const ask = [{ role: "user", content: "q" }];
    const full = expectedAnswer(MODEL, ask);
    const stopAt = full.split(" ")[3];
    const reply = await client.chat({ model: MODEL, messages: ask, options: { stop: [stopAt] } });
    assert.equal(reply.message.content, full.slice(0, full.indexOf(stopAt)));
    assert.equal(reply.done_reason, "stop");
  });
});

// --- stall that ends, ps --------------------------------------------------------------------

Deno.test("fault stall with forMs is a long token gap, then the answer goes on", async () => {
  await withDouble(
    { tokens: 4, fault: { kind: "stall", afterTokens: 2, forMs: 150 } },
    async (double) => {
      const ask = [{ role: "user", content: "x" }];
      const response = await post(`${double.url}/api/chat`, { model: MODEL, messages: ask });
      const arrivals: number[] = [];
      let text = "";
      for await (const chunk of response.body!.pipeThrough(new TextDecoderStream())) {
        for (const line of chunk.split("\n").filter(Boolean)) {
          arrivals.push(performance.now());
          text += JSON.parse(line).message.content;
        }
      }
      assert.equal(text, expectedAnswer(MODEL, ask, 4));
      const gaps = arrivals.slice(1).map((t, i) => t - arrivals[i]);
      assert.ok(gaps[1] >= 140, `the third token came ${gaps[1]} ms after the second`);
      assert.equal(double.completed, 1);
    },
  );
});

Deno.test("ps lists the models loaded by chat, generate and embed until keep_alive ends", async () => {
  await withDouble({ models: [MODEL, "phi:2b", "nomic-embed-text"] }, async (_, client) => {
    assert.deepEqual((await client.ps()).models, []);
    await client.chat({ model: MODEL, messages: [{ role: "user", content: "x" }] });
    await client.embed({ model: EMBED, input: "x", keep_alive: "1h" });
    await client.generate({ model: "phi:2b", prompt: "x", keep_alive: 0 });
    const ps = (await client.ps()).models;
    assert.deepEqual(ps.map((m) => m.name), [MODEL, EMBED]);
    assert.ok(new Date(ps[1].expires_at).getTime() > Date.now() + 50 * 60_000);
    assert.equal(ps[0].size_vram, ps[0].size);
  });
});
