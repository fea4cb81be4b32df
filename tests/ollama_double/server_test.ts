/**
 * The Ollama test double against the real `ollama` npm client and raw fetch, on 127.0.0.1.
 */
import assert from "node:assert/strict";
import { withDouble as withClient } from "./_with_double.ts";
import { Ollama } from "ollama";
import { expectedAnswer, expectedTokens } from "./answer.ts";
import {
  type OllamaDouble,
  type OllamaDoubleOptions,
  SERVER_BUSY,
  startOllamaDouble,
} from "./server.ts";

const MODEL = "tinyllama:1.1b";
const ask = (content: string) => [{ role: "user", content }];

/** Starts a double, runs `fn`, always closes it (so sanitizers see no leak). */
const withDouble = (
  options: OllamaDoubleOptions,
  fn: (d: OllamaDouble, client: Ollama) => Promise<void>,
) => withClient(options, (host) => new Ollama({ host }), fn);

function post(url: string, body: unknown, signal?: AbortSignal): Promise<Response> {
  return fetch(url, {
    method: "POST",
    body: typeof body === "string" ? body : JSON.stringify(body),
    signal,
  });
}

/** Reads an NDJSON body line by line, checking the framing. */
async function readNdjson(response: Response): Promise<Record<string, unknown>[]> {
  const text = await response.text();
  assert.ok(text.endsWith("\n"), "every NDJSON line ends with a newline");
  return text.slice(0, -1).split("\n").map((line) => JSON.parse(line));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// --- the real ollama client ----------------------------------------------------------------

Deno.test("ollama client lists the configured models with Ollama's fields", async () => {
  await withDouble(
    { models: [{ name: MODEL, family: "llama" }, "qwen2.5:0.5b"] },
    async (_, client) => {
      const { models } = await client.list();
      assert.deepEqual(models.map((m) => m.name), [MODEL, "qwen2.5:0.5b"]);
      assert.equal(models[0].model, MODEL);
      assert.match(models[0].digest, /^[0-9a-f]{64}$/);
      assert.equal(typeof models[0].size, "number");
      assert.deepEqual(models[0].details, {
        parent_model: "",
        format: "gguf",
        family: "llama",
        families: ["llama"],
        parameter_size: "1.1B",
        quantization_level: "Q4_0",
      });
      assert.equal(models[1].details.parameter_size, "0.5B");
    },
  );
});

Deno.test("ollama client streams a chat whose text is exactly expectedAnswer()", async () => {
  await withDouble({}, async (double, client) => {
    const stream = await client.chat({ model: MODEL, messages: ask("why?"), stream: true });
    const parts: string[] = [];
    let last;
    for await (const chunk of stream) {
      parts.push(chunk.message.content);
      last = chunk;
    }
    assert.equal(parts.join(""), expectedAnswer(MODEL, ask("why?")));
    assert.deepEqual(parts.slice(0, -1), expectedTokens(MODEL, ask("why?")));
    assert.ok(last?.done);
    assert.equal(last.done_reason, "stop");
    assert.equal(last.message.role, "assistant");
    assert.equal(last.eval_count, 20);
    assert.ok(last.prompt_eval_count > 0);
    for (
      const field of ["total_duration", "load_duration", "prompt_eval_duration", "eval_duration"]
    ) {
      assert.ok((last as unknown as Record<string, number>)[field] > 0, `${field} in ns`);
    }
    assert.equal(double.completed, 1);
    assert.equal(double.tokensSent, 20);
  });
});

Deno.test("ollama client gets a whole chat without streaming", async () => {
  await withDouble({ tokens: 7 }, async (_, client) => {
    const reply = await client.chat({ model: MODEL, messages: ask("hi") });
    assert.equal(reply.message.content, expectedAnswer(MODEL, ask("hi"), 7));
    assert.equal(reply.done, true);
    assert.equal(reply.done_reason, "stop");
    assert.equal(reply.eval_count, 7);
  });
});

Deno.test("ollama client streams and fetches generate replies", async () => {
  await withDouble({ tokens: 5 }, async (_, client) => {
    let text = "";
    for await (const chunk of await client.generate({ model: MODEL, prompt: "p", stream: true })) {
      text += chunk.response;
      if (chunk.done) assert.equal(chunk.context.length, chunk.prompt_eval_count + 5);
    }
    assert.equal(text, expectedAnswer(MODEL, "p", 5));
    const whole = await client.generate({ model: MODEL, prompt: "p" });
    assert.equal(whole.response, text);
    assert.equal(whole.done_reason, "stop");
  });
});

Deno.test("ollama client sees version, show and ps", async () => {
  await withDouble({ version: "0.9.9" }, async (_, client) => {
    assert.deepEqual(await client.version(), { version: "0.9.9" });
    const show = await client.show({ model: MODEL });
    assert.equal(show.details.parameter_size, "1.1B");
    assert.deepEqual(show.capabilities, ["completion", "tools", "insert", "vision", "embedding"]);
    assert.deepEqual((await client.ps()).models, [], "nothing loaded before a request");
    await client.chat({ model: MODEL, messages: ask("x") });
    const [loaded] = (await client.ps()).models;
    assert.equal(loaded.name, MODEL);
    assert.ok(new Date(loaded.expires_at).getTime() > Date.now());
  });
});

Deno.test("ollama client surfaces an unknown model as a 404 error", async () => {
  await withDouble({}, async (_, client) => {
    for (
      const call of [
        () => client.chat({ model: "nope:1b", messages: ask("x") }),
        () => client.chat({ model: "nope:1b", messages: ask("x"), stream: true }),
        () => client.generate({ model: "nope:1b", prompt: "x" }),
        () => client.show({ model: "nope:1b" }),
      ]
    ) {
      await assert.rejects(call, (error: Error & { status_code?: number }) => {
        assert.equal(error.message, "model 'nope:1b' not found");
        assert.equal(error.status_code, 404);
        return true;
      });
    }
  });
});

Deno.test("a model name without tag finds the :latest model", async () => {
  await withDouble({ models: ["phi"], tokens: 3 }, async (_, client) => {
    const reply = await client.chat({ model: "phi", messages: ask("x") });
    assert.equal(reply.model, "phi", "the model is echoed as requested");
    assert.equal(reply.message.content, expectedAnswer("phi:latest", ask("x"), 3));
  });
});

Deno.test("options.num_predict caps the reply with done_reason length", async () => {
  await withDouble({}, async (_, client) => {
    const reply = await client.chat({
      model: MODEL,
      messages: ask("x"),
      options: { num_predict: 4 },
    });
    assert.equal(reply.message.content, expectedAnswer(MODEL, ask("x"), 4));
    assert.equal(reply.done_reason, "length");
    assert.equal(reply.eval_count, 4);
  });
});

Deno.test("an answer override is streamed token by token", async () => {
  await withDouble({
    answer: ({ endpoint, model, input }) => `${endpoint} by ${model}: ${input.length} messages`,
  }, async (_, client) => {
    const parts: string[] = [];
    for await (const c of await client.chat({ model: MODEL, messages: ask("x"), stream: true })) {
      parts.push(c.message.content);
    }
    assert.deepEqual(parts, ["chat", " by", ` ${MODEL}:`, " 1", " messages", ""]);
  });
});

// --- continuation after failover ----------------------------------------------------------

Deno.test("a chat ending in an assistant prefix streams exactly the remaining tokens", async () => {
  await withDouble({}, async (double, client) => {
    const full = expectedTokens(MODEL, ask("q"));
    const prefix = full.slice(0, 6).join("");
    const messages = [...ask("q"), { role: "assistant", content: prefix }];
    const parts: string[] = [];
    for await (const c of await client.chat({ model: MODEL, messages, stream: true })) {
      parts.push(c.message.content);
    }
    assert.deepEqual(parts.slice(0, -1), full.slice(6));
    assert.equal(prefix + parts.join(""), expectedAnswer(MODEL, ask("q")));
    assert.equal(double.continued, 1);
    assert.equal(double.tokensSent, 14);
  });
});

Deno.test("failover between two doubles yields the expected answer without gap or repeat", async () => {
  await withDouble({ fault: { kind: "closeMidStream", afterTokens: 5 } }, async (first, a) => {
    await withDouble({}, async (second, b) => {
      let partial = "";
      await assert.rejects(async () => {
        for await (const c of await a.chat({ model: MODEL, messages: ask("q"), stream: true })) {
          partial += c.message.content;
        }
      });
      assert.equal(partial, expectedTokens(MODEL, ask("q")).slice(0, 5).join(""));
      const messages = [...ask("q"), { role: "assistant", content: partial }];
      let rest = "";
      for await (const c of await b.chat({ model: MODEL, messages, stream: true })) {
        rest += c.message.content;
      }
      assert.equal(partial + rest, expectedAnswer(MODEL, ask("q")));
      assert.equal(first.failed, 1);
      assert.equal(second.continued, 1);
    });
  });
});

// --- faults --------------------------------------------------------------------------------

Deno.test("fault refuse closes the port and none reopens it on the same port", async () => {
  await withDouble({}, async (double, client) => {
    const port = double.port;
    await client.list();
    await double.setFault("refuse");
    assert.equal(double.stats().listening, false);
    await assert.rejects(() => client.list(), TypeError);
    await assert.rejects(() => fetch(`${double.url}/`), TypeError);
    await double.setFault("none");
    assert.equal(double.port, port);
    assert.equal((await client.list()).models.length, 1);
  });
});

Deno.test("fault refuse drops a stream in progress", async () => {
  await withDouble({ tokenLatencyMs: 20 }, async (double, client) => {
    const stream = await client.chat({ model: MODEL, messages: ask("x"), stream: true });
    const reading = (async () => {
      for await (const _ of stream) { /* until dropped */ }
    })();
    await double.waitFor((s) => s.tokensSent >= 2);
    await double.setFault("refuse");
    await assert.rejects(reading);
    assert.equal(double.failed, 1);
    assert.equal(double.activeStreams, 0);
  });
});

Deno.test("a double started with fault refuse reports its port but refuses", async () => {
  await withDouble({ fault: "refuse" }, async (double) => {
    assert.ok(double.port > 0);
    await assert.rejects(() => fetch(`${double.url}/`), TypeError);
  });
});

Deno.test("fault http500 fails chat and generate with Ollama's error shape", async () => {
  await withDouble({ fault: "http500" }, async (_, client) => {
    await assert.rejects(
      () => client.chat({ model: MODEL, messages: ask("x"), stream: true }),
      (e: Error & { status_code?: number }) =>
        e.status_code === 500 && /llama runner process has terminated/.test(e.message),
    );
    await assert.rejects(() => client.generate({ model: MODEL, prompt: "x" }), /terminated/);
    assert.equal((await client.list()).models.length, 1, "tags is not targeted by default");
  });
});

Deno.test("fault http500 with status, message, endpoints and times", async () => {
  const fault = {
    kind: "http500" as const,
    status: 503,
    message: "busy",
    endpoints: ["tags" as const],
    times: 1,
  };
  await withDouble({ fault }, async (double, client) => {
    await assert.rejects(() => client.list(), (e: Error & { status_code?: number }) => {
      return e.status_code === 503 && e.message === "busy";
    });
    assert.equal((await client.list()).models.length, 1, "times: 1 is used up");
    assert.equal(double.stats().fault.remaining, 0);
  });
});

Deno.test("fault closeMidStream breaks the stream after N tokens", async () => {
  await withDouble(
    { fault: { kind: "closeMidStream", afterTokens: 3 } },
    async (double, client) => {
      const parts: string[] = [];
      await assert.rejects(async () => {
        for await (
          const c of await client.chat({ model: MODEL, messages: ask("x"), stream: true })
        ) {
          parts.push(c.message.content);
        }
      });
      assert.deepEqual(parts, expectedTokens(MODEL, ask("x")).slice(0, 3));
      assert.equal(double.failed, 1);
      assert.equal(double.completed, 0);
      // without streaming the reply breaks too
      await assert.rejects(() => client.chat({ model: MODEL, messages: ask("x") }));
      assert.equal(double.failed, 2);
    },
  );
});

Deno.test("fault stall keeps the stream open after N tokens until the client leaves", async () => {
  await withDouble({ fault: { kind: "stall", afterTokens: 2 } }, async (double) => {
    const abort = new AbortController();
    const response = await post(
      `${double.url}/api/chat`,
      { model: MODEL, messages: ask("x") },
      abort.signal,
    );
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    while (text.split("\n").length < 3) text += (await reader.read()).value;
    const timeout = Symbol("timeout");
    let timer: ReturnType<typeof setTimeout> | undefined;
    const next = await Promise.race([
      reader.read(),
      new Promise((r) => timer = setTimeout(() => r(timeout), 150)),
    ]);
    clearTimeout(timer);
    assert.equal(next, timeout, "nothing after the stall");
    assert.equal(double.activeStreams, 1);
    abort.abort();
    await reader.cancel().catch(() => {});
    await double.waitFor((s) => s.cancelled === 1 && s.activeStreams === 0);
    assert.equal(double.tokensSent, 2);
  });
});

Deno.test("fault stall before the first token withholds even the headers", async () => {
  await withDouble({ fault: "stall" }, async (double) => {
    const abort = new AbortController();
    let settled = false;
    const pending = post(
      `${double.url}/api/chat`,
      { model: MODEL, messages: ask("x") },
      abort.signal,
    )
      .finally(() => settled = true);
    await sleep(150);
    assert.equal(settled, false, "no response headers while stalled");
    abort.abort();
    await assert.rejects(pending);
    await double.waitFor((s) => s.cancelled === 1 && s.activeStreams === 0);
  });
});

Deno.test("fault stall on tags hangs until the client gives up", async () => {
  await withDouble({ fault: { kind: "stall", endpoints: ["tags"] } }, async (double) => {
    const abort = new AbortController();
    const pending = fetch(`${double.url}/api/tags`, { signal: abort.signal });
    await sleep(100);
    abort.abort();
    await assert.rejects(pending);
    assert.equal((await (await fetch(`${double.url}/api/version`)).json()).version, "0.12.6");
  });
});

Deno.test("fault slow overrides the latencies", async () => {
  await withDouble({
    tokens: 4,
    fault: { kind: "slow", tokenLatencyMs: 40, firstTokenLatencyMs: 60 },
  }, async (_, client) => {
    const start = performance.now();
    const reply = await client.chat({ model: MODEL, messages: ask("x") });
    const elapsed = performance.now() - start;
    assert.ok(elapsed >= 60 + 3 * 40 - 5, `took ${elapsed} ms`);
    assert.ok(reply.prompt_eval_duration >= 55e6, "first token latency shows as prompt eval");
  });
});

Deno.test("setFault() refuses an invalid fault, quoting it", async () => {
  await withDouble({}, (double) => {
    assert.throws(() => double.setFault({ kind: "stall", afterTokens: -2 }), /afterTokens/);
    assert.equal(double.stats().fault.kind, "none");
    return Promise.resolve();
  });
});

// --- latency, cancellation, capacity --------------------------------------------------------

Deno.test("tokens arrive as separate NDJSON lines spaced by the token latency", async () => {
  await withDouble({ tokens: 4, tokenLatencyMs: 30 }, async (double) => {
    const response = await post(`${double.url}/api/chat`, { model: MODEL, messages: ask("x") });
    assert.equal(response.headers.get("content-type"), "application/x-ndjson");
    const arrivals: number[] = [];
    let text = "";
    for await (const chunk of response.body!.pipeThrough(new TextDecoderStream())) {
      arrivals.push(performance.now());
      text += chunk;
    }
    assert.ok(arrivals.length >= 4, `got ${arrivals.length} reads`);
    assert.ok(arrivals.at(-1)! - arrivals[0] >= 3 * 30 - 5);
    const lines = text.trimEnd().split("\n").map((l) => JSON.parse(l));
    assert.equal(lines.length, 5);
    assert.deepEqual(lines.map((l) => l.done), [false, false, false, false, true]);
  });
});

Deno.test("raw fetch: chat and generate NDJSON framing and single JSON without streaming", async () => {
  await withDouble({ tokens: 3 }, async (double) => {
    const chat = await readNdjson(
      await post(`${double.url}/api/chat`, { model: MODEL, messages: ask("x") }),
    );
    assert.deepEqual(Object.keys(chat[0]), ["model", "created_at", "message", "done"]);
    assert.equal(
      chat.map((l) => (l.message as { content: string }).content).join(""),
      expectedAnswer(MODEL, ask("x"), 3),
    );
    const gen = await readNdjson(
      await post(`${double.url}/api/generate`, { model: MODEL, prompt: "p" }),
    );
    assert.deepEqual(Object.keys(gen[0]), ["model", "created_at", "response", "done"]);
    assert.equal(gen.at(-1)!.done_reason, "stop");
    const whole = await post(`${double.url}/api/chat`, {
      model: MODEL,
      messages: ask("x"),
      stream: false,
    });
    assert.equal(whole.headers.get("content-type"), "application/json; charset=utf-8");
    const text = await whole.text();
    assert.ok(!text.includes("\n"), "one JSON object");
    assert.equal(JSON.parse(text).message.content, expectedAnswer(MODEL, ask("x"), 3));
  });
});

Deno.test("raw fetch: errors, load/unload and plain endpoints", async () => {
  await withDouble({}, async (double) => {
    const u = double.url;
    const expectError = async (response: Response, status: number, pattern: RegExp) => {
      assert.equal(response.status, status);
      assert.equal(response.headers.get("content-type"), "application/json; charset=utf-8");
      assert.match((await response.json()).error, pattern);
    };
    await expectError(await post(`${u}/api/chat`, "{not json"), 400, /invalid JSON/);
    await expectError(await post(`${u}/api/chat`, ""), 400, /^missing request body$/);
    await expectError(
      await post(`${u}/api/chat`, { messages: ask("x") }),
      400,
      /^model is required$/,
    );
    await expectError(
      await post(`${u}/api/chat`, { model: MODEL, messages: "x" }),
      400,
      /messages/,
    );
    await expectError(
      await post(`${u}/api/generate`, { model: "x", prompt: "p" }),
      404,
      /^model 'x' not found$/,
    );
    const root = await fetch(`${u}/`);
    assert.equal(await root.text(), "Ollama is running");
    assert.equal((await fetch(`${u}/`, { method: "HEAD" })).status, 200);
    const missing = await fetch(`${u}/api/nothing`);
    assert.deepEqual([missing.status, await missing.text()], [404, "404 page not found"]);
    const wrongMethod = await fetch(`${u}/api/chat`);
    assert.deepEqual([wrongMethod.status, await wrongMethod.text()], [
      405,
      "405 method not allowed",
    ]);
    const load = await (await post(`${u}/api/chat`, { model: MODEL, messages: [] })).json();
    assert.deepEqual([load.done, load.done_reason], [true, "load"]);
    const unload = await (await post(`${u}/api/generate`, { model: MODEL, keep_alive: 0 })).json();
    assert.deepEqual([unload.done, unload.done_reason, unload.response], [true, "unload", ""]);
    assert.equal(double.requestLog("/api/chat").length, 5);
    assert.deepEqual(double.requestLog("/api/generate").at(-1), { model: MODEL, keep_alive: 0 });
  });
});

Deno.test("ollama client abort stops generation on the double and counts it cancelled", async () => {
  await withDouble({ tokens: 1000, tokenLatencyMs: 5 }, async (double, client) => {
    const stream = await client.chat({ model: MODEL, messages: ask("x"), stream: true });
    let received = 0;
    await assert.rejects(async () => {
      for await (const _ of stream) {
        if (++received === 3) stream.abort();
      }
    }, (e: Error) => e.name === "AbortError");
    await double.waitFor((s) => s.cancelled === 1 && s.activeStreams === 0);
    const sent = double.tokensSent;
    await sleep(60);
    assert.equal(double.tokensSent, sent, "no token generated after the cancel");
    assert.ok(sent < 20, `generation stopped early (${sent} tokens)`);
    assert.equal(double.completed, 0);
  });
});

Deno.test("a client leaving during the first-token wait is counted cancelled", async () => {
  await withDouble({ firstTokenLatencyMs: 5000 }, async (double) => {
    const abort = new AbortController();
    const pending = post(
      `${double.url}/api/chat`,
      { model: MODEL, messages: ask("x") },
      abort.signal,
    );
    await double.waitFor((s) => s.activeStreams === 1);
    abort.abort();
    await assert.rejects(pending);
    await double.waitFor((s) => s.cancelled === 1 && s.activeStreams === 0);
    assert.equal(double.tokensSent, 0);
  });
});

Deno.test("first token latency delays the response headers, as Ollama does", async () => {
  await withDouble({ firstTokenLatencyMs: 80 }, async (double) => {
    const start = performance.now();
    const response = await post(`${double.url}/api/chat`, { model: MODEL, messages: ask("x") });
    assert.ok(performance.now() - start >= 75);
    await response.body!.cancel();
  });
});

Deno.test("parallel 1 queues a second reply and maxQueue 0 refuses it as busy", async () => {
  await withDouble({ parallel: 1, tokens: 3, tokenLatencyMs: 30 }, async (double, client) => {
    const first = client.chat({ model: MODEL, messages: ask("a") });
    const second = client.chat({ model: MODEL, messages: ask("b") });
    await double.waitFor((s) => s.queued === 1);
    const [a, b] = await Promise.all([first, second]);
    assert.equal(a.message.content, expectedAnswer(MODEL, ask("a"), 3));
    assert.equal(b.message.content, expectedAnswer(MODEL, ask("b"), 3));
    assert.ok(b.load_duration > 30e6, "the wait shows as load time");
  });
  await withDouble(
    { parallel: 1, maxQueue: 0, tokens: 3, tokenLatencyMs: 30 },
    async (double, client) => {
      const first = client.chat({ model: MODEL, messages: ask("a") });
      await double.waitFor((s) => s.activeStreams === 1);
      await assert.rejects(
        () => client.chat({ model: MODEL, messages: ask("b") }),
        (e: Error & { status_code?: number }) => e.status_code === 503 && e.message === SERVER_BUSY,
      );
      await first;
    },
  );
});

// --- runtime settings, control API, lifecycle ----------------------------------------------

Deno.test("setModels(), setTokens() and resetStats() apply at run time", async () => {
  await withDouble({}, async (double, client) => {
    double.setModels(["a:1b", { name: "b:2b", family: "gemma" }]);
    assert.deepEqual((await client.list()).models.map((m) => m.name), ["a:1b", "b:2b"]);
    double.setTokens(2);
    const reply = await client.chat({ model: "a:1b", messages: ask("x") });
    assert.equal(reply.message.content, expectedAnswer("a:1b", ask("x"), 2));
    assert.equal(double.requests, 2);
    double.resetStats();
    assert.deepEqual([double.requests, double.completed, double.requestLog("/api/chat")], [
      0,
      0,
      [],
    ]);
    assert.throws(
      () => double.setTokenLatencyMs(-1),
      /tokenLatencyMs must be a non-negative number, got -1/,
    );
  });
});

Deno.test("control API on a TCP port and a unix socket reads stats and sets faults", async () => {
  const controlPath = await Deno.makeTempFile({ suffix: ".sock" });
  await withDouble({ controlPort: 0, controlPath }, async (double, client) => {
    assert.ok(double.controlUrl);
    const control = (path: string, body?: unknown) =>
      fetch(
        `${double.controlUrl}/__double/${path}`,
        body === undefined ? {} : {
          method: "POST",
          body: JSON.stringify(body),
        },
      ).then(async (r) => ({ status: r.status, json: await r.json() }));
    await control("fault", { kind: "refuse" });
    await assert.rejects(() => client.list(), TypeError);
    assert.equal((await control("stats")).json.listening, false);
    await control("fault", "none");
    await control("settings", {
      tokens: 2,
      models: ["z:1b", { name: "e-embed", embeddingLength: 4, capabilities: ["embedding"] }],
    });
    const reply = await client.chat({ model: "z:1b", messages: ask("x") });
    assert.equal(reply.message.content, expectedAnswer("z:1b", ask("x"), 2));
    assert.equal((await client.embed({ model: "e-embed", input: "x" })).embeddings[0].length, 4);
    const stats = (await control("stats")).json;
    assert.deepEqual([stats.completed, stats.requestCounts["/api/chat"], stats.embeddings], [
      1,
      1,
      1,
    ]);
    assert.deepEqual((await control("requests?path=/api/chat")).json, [{
      model: "z:1b",
      messages: ask("x"),
      stream: false,
    }]);
    const bad = await control("fault", { kind: "stall", afterTokens: "x" });
    assert.equal(bad.status, 400);
    assert.match(bad.json.error, /afterTokens/);

    const unix = Deno.createHttpClient({ proxy: { transport: "unix", path: controlPath } });
    try {
      const viaSocket = await fetch("http://double/__double/stats", { client: unix });
      assert.equal((await viaSocket.json()).completed, 1);
      const reset = await fetch("http://double/__double/reset", { method: "POST", client: unix });
      assert.equal((await reset.json()).completed, 0);
    } finally {
      unix.close();
    }
  });
});

Deno.test("close() drops open streams and frees the port", async () => {
  const double = await startOllamaDouble({ fault: { kind: "stall", afterTokens: 1 } });
  const response = await post(`${double.url}/api/chat`, { model: MODEL, messages: ask("x") });
  const reading = response.text();
  await double.waitFor((s) => s.tokensSent === 1);
  await double.close();
  await assert.rejects(reading);
  assert.equal(double.failed, 1);
  await double.close(); // idempotent
  const again = await startOllamaDouble({ port: double.port });
  await again.close();
});

Deno.test("options are validated up front, quoting the value", async () => {
  await assert.rejects(
    () => startOllamaDouble({ tokens: 1.5 }),
    /tokens must be a non-negative integer, got 1.5/,
  );
  await assert.rejects(
    () => startOllamaDouble({ fault: { kind: "refuse", times: 1 } }),
    /times not used/,
  );
});

Deno.test("main.ts runs the double as a process and stops on SIGTERM", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-all",
      new URL("./main.ts", import.meta.url).pathname,
      "--port",
      "0",
      "--models",
      "a:1b,b:2b",
      "--tokens",
      "3",
      "--fault",
      "none",
    ], // deno-fmt-ignore
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  try {
    let out = "";
    while (!out.includes("\n")) {
      const { value, done } = await lines.read();
      if (done) break;
      out += value;
    }
    const url = out.match(/^ollama-double listening on (http:\/\/127\.0\.0\.1:\d+)\n/)?.[1];
    assert.ok(url, `ready line, got ${JSON.stringify(out)}`);
    const client = new Ollama({ host: url });
    assert.deepEqual((await client.list()).models.map((m) => m.name), ["a:1b", "b:2b"]);
    const reply = await client.chat({ model: "b:2b", messages: ask("x") });
    assert.equal(reply.message.content, expectedAnswer("b:2b", ask("x"), 3));
  } finally {
    child.kill("SIGTERM");
    await lines.cancel();
    const status = await child.status;
    await child.stderr.cancel();
    assert.equal(status.code, 0);
  }
});

Deno.test("`await using` closes the double", async () => {
  let url: string;
  {
    await using double = await startOllamaDouble({});
    url = double.url;
    assert.equal(await (await fetch(`${url}/`)).text(), "Ollama is running");
  }
  await assert.rejects(() => fetch(`${url}/`), TypeError);
});
