/**
 * Completions and fill-in-the-middle through the mesh: the real `openai` (`completions.create`)
 * and `ollama` (`generate` with `suffix`/`raw`) clients ask a node without a backend; a peer with
 * the Ollama test double answers.
 */
import assert from "node:assert/strict";
import { Ollama } from "ollama";
import OpenAI from "openai";
import {
  expectedAnswer,
  expectedTokens,
  infillInput,
  rawInput,
} from "../../tests/ollama_double/answer.ts";
import type { NodeSpec } from "../../tests/support/llm_mesh.ts";
import { serveMesh } from "../../tests/support/llm_mesh_server.ts";

const MODEL = "tinyllama:1.1b";
const PROMPT = "def add(a, b):\n";
const SUFFIX = "\n    return c\n";
const MIDDLE = expectedAnswer(MODEL, infillInput(PROMPT, SUFFIX));

const twoNodes: NodeSpec[] = [{ id: "host", double: { models: [MODEL] } }, { id: "client" }];

Deno.test("the openai client's completions.create works through the mesh, whole and streamed, with suffix", async () => {
  await using mesh = await serveMesh(twoNodes);
  const openai = new OpenAI({ baseURL: `${mesh.url}/v1`, apiKey: "unused", maxRetries: 0 });

  const whole = await openai.completions.create({ model: MODEL, prompt: PROMPT, suffix: SUFFIX });
  assert.equal(whole.object, "text_completion");
  assert.match(whole.id, /^cmpl-/);
  assert.equal(whole.model, MODEL);
  assert.equal(whole.choices.length, 1);
  assert.equal(whole.choices[0].text, MIDDLE);
  assert.equal(whole.choices[0].finish_reason, "stop");
  assert.ok((whole.usage?.completion_tokens ?? 0) > 0);

  const stream = await openai.completions.create({
    model: MODEL,
    prompt: PROMPT,
    suffix: SUFFIX,
    stream: true,
  });
  let text = "";
  const finishes: (string | null)[] = [];
  for await (const chunk of stream) {
    assert.equal(chunk.object, "text_completion");
    text += chunk.choices[0]?.text ?? "";
    finishes.push(chunk.choices[0]?.finish_reason ?? null);
  }
  assert.equal(text, MIDDLE);
  assert.equal(finishes.at(-1), "stop");
  assert.ok(finishes.slice(0, -1).every((f) => f === null));
});

Deno.test("/v1/completions without suffix: the prompt as the user's turn, max_tokens and stop honoured", async () => {
  await using mesh = await serveMesh(twoNodes);
  const openai = new OpenAI({ baseURL: `${mesh.url}/v1`, apiKey: "unused", maxRetries: 0 });
  const asked = [{ role: "user" as const, content: "hello" }];

  const whole = await openai.completions.create({ model: MODEL, prompt: "hello" });
  assert.equal(whole.choices[0].text, expectedAnswer(MODEL, asked));

  const short = await openai.completions.create({ model: MODEL, prompt: "hello", max_tokens: 3 });
  assert.equal(short.choices[0].text, expectedTokens(MODEL, asked, 3).join(""));
  assert.equal(short.choices[0].finish_reason, "length");

  const words = expectedTokens(MODEL, asked);
  const stopped = await openai.completions.create({
    model: MODEL,
    prompt: "hello",
    stop: words[2],
  });
  assert.equal(stopped.choices[0].text, words.slice(0, 2).join(""));

  // the SSE stream ends with data: [DONE]
  const response = await fetch(`${mesh.url}/v1/completions`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ model: MODEL, prompt: "hello", stream: true }),
  });
  assert.equal(response.headers.get("content-type"), "text/event-stream");
  assert.equal(response.headers.get("x-neuromesh-host"), "host");
  const events = (await response.text()).trim().split("\n\n");
  assert.equal(events.at(-1), "data: [DONE]");
  const last = JSON.parse(events.at(-2)!.slice("data: ".length));
  assert.equal(last.choices[0].finish_reason, "stop");
  assert.deepEqual(last.neuromesh.hosts.map((h: { nodeId: string }) => h.nodeId), ["host"]);
});

Deno.test("/v1/completions refuses bad input with a 400 naming the field", async () => {
  await using mesh = await serveMesh(twoNodes);
  const ask = async (body: unknown) => {
    const response = await fetch(`${mesh.url}/v1/completions`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    return { status: response.status, error: (await response.json()).error };
  };
  for (
    const [body, param] of [
      [{ model: MODEL }, "prompt"],
      [{ model: MODEL, prompt: "p", suffix: 3 }, "suffix"],
      [{ model: MODEL, prompt: "p", max_tokens: -1 }, "max_tokens"],
      [{ model: MODEL, prompt: "p", echo: true }, "echo"],
    ] as const
  ) {
    const { status, error } = await ask(body);
    assert.equal(status, 400, param);
    assert.equal(error.param, param);
    assert.equal(error.type, "invalid_request_error");
  }
});

Deno.test("the ollama client's generate with suffix (fill-in-the-middle) and raw works through the mesh", async () => {
  await using mesh = await serveMesh(twoNodes);
  const ollama = new Ollama({ host: mesh.url });

  const whole = await ollama.generate({ model: MODEL, prompt: PROMPT, suffix: SUFFIX });
  assert.equal(whole.response, MIDDLE);
  assert.equal(whole.done, true);

  const stream = await ollama.generate({
    model: MODEL,
    prompt: PROMPT,
    suffix: SUFFIX,
    stream: true,
  });
  let text = "";
  for await (const part of stream) text += part.response;
  assert.equal(text, MIDDLE);

  const raw = await ollama.generate({ model: MODEL, prompt: PROMPT, raw: true });
  assert.equal(raw.response, expectedAnswer(MODEL, rawInput(PROMPT)));

  // context stays refused, naming the field
  const refused = await fetch(`${mesh.url}/api/generate`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ model: MODEL, prompt: "p", context: [1, 2] }),
  });
  assert.equal(refused.status, 400);
  assert.match((await refused.json()).error, /context/);
});
