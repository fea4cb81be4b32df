/**
 * LLM sharing end to end (issue 3): real NeuroMesh processes in network namespaces, test-double
 * Ollamas on each host's own 127.0.0.1:11434, and the real clients — the `ollama` and `openai`
 * npm packages and curl — talking to a node that has no LLM. The lab (llm_lab.ts) is shared by
 * every test of this file; each test starts with `ready()`, which restores it.
 */
import assert from "node:assert/strict";
import { Ollama } from "ollama";
import OpenAI from "openai";
import {
  assertCapability,
  curlUnavailableReason,
  netnsUnavailableReason,
  requires,
} from "../support/ci.ts";
import { expectedAnswer } from "../ollama_double/answer.ts";
import type { LabHost, LabNode } from "./lab.ts";
import { DENO, waitFor } from "./lab.ts";
import {
  API_TOKEN,
  healthyHostsOf,
  LlmLab,
  meshModels,
  SHARED_MODEL,
  SOLO_MODEL,
} from "./llm_lab.ts";
import { contentOf, NdjsonReader } from "./llm_stream.ts";

const gate = requires(netnsUnavailableReason());
const options = { ...gate, sanitizeResources: false, sanitizeOps: false };
// The tests that run curl (the lines of docs/llm.md) need it besides the namespaces.
const curlUnavailable = netnsUnavailableReason() ?? curlUnavailableReason();
const curlOptions = { ...options, ...requires(curlUnavailable) };

let shared: Promise<LlmLab> | undefined;
Deno.test.afterAll(async () => {
  const llm = await shared?.catch(() => undefined);
  await llm?.close();
});

/** Runs `fn` on the shared lab, restored and with this token latency; logs on failure. */
async function withLab(tokenLatencyMs: number, fn: (llm: LlmLab) => Promise<void>) {
  if (!shared) {
    const started = performance.now();
    shared = LlmLab.create();
    await shared;
    console.log(
      `lab of 5 nodes and 2 doubles ready in ${(performance.now() - started).toFixed(0)} ms`,
    );
  }
  const llm = await shared;
  try {
    await llm.ready(tokenLatencyMs);
    await fn(llm);
  } catch (error) {
    console.error(await llm.logs());
    throw error;
  }
}

type Message = { role: string; content: string };
const ask = (content: string): Message[] => [{ role: "user", content }];

function post(node: LabNode, path: string, body: unknown, signal?: AbortSignal) {
  return fetch(`${node.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
    signal,
  });
}

/** Completed replies per LLM host's double, since its last reset. */
async function completedBy(llm: LlmLab): Promise<Map<LabHost, number>> {
  const counts = new Map<LabHost, number>();
  for (const host of llm.llmHosts) counts.set(host, (await llm.double(host).stats()).completed);
  return counts;
}

/** Waits until the doubles' completed counts grew by exactly `expected` (host → replies). */
async function expectCompleted(
  llm: LlmLab,
  before: Map<LabHost, number>,
  expected: Map<LabHost, number>,
) {
  let seen = "";
  try {
    await waitFor(
      "the doubles to count the replies",
      async () => {
        const now = await completedBy(llm);
        seen = llm.llmHosts.map((h) => `${h.name}: ${now.get(h)! - before.get(h)!}`).join(", ");
        return llm.llmHosts.every((h) => now.get(h)! - before.get(h)! === (expected.get(h) ?? 0));
      },
      2_000,
      50,
    );
  } catch {
    const want = llm.llmHosts.map((h) => `${h.name}: ${expected.get(h) ?? 0}`).join(", ");
    assert.fail(`replies completed per double: expected ${want}, got ${seen}`);
  }
}

interface Trailer {
  hosts: { nodeId: string; name: string; model: string }[];
  failedOver: boolean;
}

Deno.test({
  name: "the ollama and openai npm clients on a node without LLM get answers from a remote host",
  ...options,
  fn: () =>
    withLab(10, async (llm) => {
      const url = llm.a.node.url;
      assert.equal((await llm.a.node.status()).node.hasLlm, false, "node A has no LLM of its own");
      const [h1, h2] = llm.llmHosts.map((h) => llm.id(h));

      // ---- ollama ----
      let chatHeaders: Headers | undefined;
      const ollama = new Ollama({
        host: url,
        // The SDK hides response headers: a fetch wrapper records who served the chat.
        fetch: async (input, init) => {
          const res = await fetch(input, init);
          if (String(input).endsWith("/api/chat")) chatHeaders = res.headers;
          return res;
        },
      });
      const tags = await ollama.list();
      const tagged = (name: string) => {
        const entry = tags.models.find((m) => m.name === name) as
          | { hosts?: { id: string; local: boolean }[] }
          | undefined;
        return entry?.hosts?.map((h) => `${h.id}${h.local ? " (local)" : ""}`).sort();
      };
      assert.deepEqual(tagged(SHARED_MODEL), [h1, h2].sort(), "/api/tags: both hosts of shared");
      assert.deepEqual(tagged(SOLO_MODEL), [h1], "/api/tags: H1 hosts solo");

      const messages = ask("Why is the sky blue?");
      let before = await completedBy(llm);
      let text = "";
      let last: Record<string, unknown> | undefined;
      let parts = 0;
      for await (
        const part of await ollama.chat({ model: SHARED_MODEL, messages, stream: true })
      ) {
        text += part.message.content;
        last = part as unknown as Record<string, unknown>;
        parts++;
      }
      assert.equal(text, expectedAnswer(SHARED_MODEL, messages));
      assert.ok(parts > 2, `the answer was streamed (${parts} parts)`);
      const servedBy = chatHeaders?.get("x-neuromesh-host") ?? null;
      const server = llm.hostById(servedBy);
      assert.ok(llm.llmHosts.includes(server), `served by an LLM host, not ${server.name}`);
      assert.equal(chatHeaders?.get("x-neuromesh-host-name"), server.name);
      assert.equal(chatHeaders?.get("x-neuromesh-model"), SHARED_MODEL);
      const trailer = last?.neuromesh as Trailer;
      assert.deepEqual(trailer.hosts.map((h) => h.nodeId), [servedBy]);
      assert.equal(trailer.failedOver, false);
      await expectCompleted(llm, before, new Map([[server, 1]]));
      console.log(`ollama client: streamed ${parts} parts from ${server.name} via node A`);

      // Not streamed, with the model only H1 has: the header must name H1.
      const solo = ask("Hello");
      const reply = await ollama.chat({ model: SOLO_MODEL, messages: solo });
      assert.equal(reply.message.content, expectedAnswer(SOLO_MODEL, solo));
      assert.equal(chatHeaders?.get("x-neuromesh-host"), h1);

      // ---- openai ----
      const openai = new OpenAI({ baseURL: `${url}/v1`, apiKey: "unused" });
      const ids = (await openai.models.list()).data.map((m) => m.id);
      assert.ok(ids.includes(SHARED_MODEL) && ids.includes(SOLO_MODEL), `/v1/models: ${ids}`);

      before = await completedBy(llm);
      const question = ask("Hello");
      const { data: stream, response } = await openai.chat.completions
        .create({
          model: SHARED_MODEL,
          messages: question as OpenAI.ChatCompletionMessageParam[],
          stream: true,
        })
        .withResponse();
      let streamed = "";
      let chunks = 0;
      let lastChunk: Record<string, unknown> | undefined;
      for await (const chunk of stream) {
        streamed += chunk.choices[0]?.delta?.content ?? "";
        lastChunk = chunk as unknown as Record<string, unknown>;
        chunks++;
      }
      assert.equal(streamed, expectedAnswer(SHARED_MODEL, question));
      assert.ok(chunks > 2, `the answer was streamed (${chunks} chunks)`);
      const openaiServer = llm.hostById(response.headers.get("x-neuromesh-host"));
      assert.ok(llm.llmHosts.includes(openaiServer));
      assert.deepEqual(
        (lastChunk?.neuromesh as Trailer).hosts.map((h) => h.nodeId),
        [llm.id(openaiServer)],
      );
      await expectCompleted(llm, before, new Map([[openaiServer, 1]]));
      console.log(`openai client: streamed ${chunks} chunks from ${openaiServer.name} via node A`);

      const completion = await openai.chat.completions
        .create({ model: SOLO_MODEL, messages: question as OpenAI.ChatCompletionMessageParam[] })
        .withResponse();
      assert.equal(
        completion.data.choices[0].message.content,
        expectedAnswer(SOLO_MODEL, question),
      );
      assert.equal(completion.response.headers.get("x-neuromesh-host"), h1);
    }),
});

async function curl(args: string[]): Promise<string> {
  const out = await new Deno.Command("curl", { args, stdout: "piped", stderr: "piped" }).output();
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success) {
    throw new Error(`curl ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  }
  return text;
}

Deno.test({
  name: "the curl lines of docs/llm.md work against a node without LLM",
  ...curlOptions,
  fn: () =>
    withLab(0, async (llm) => {
      assertCapability(curlUnavailable);
      const url = llm.a.node.url;
      const tags = JSON.parse(await curl(["-s", `${url}/api/tags`]));
      assert.ok(tags.models.some((m: { name: string }) => m.name === SOLO_MODEL));

      const messages = ask("Why is the sky blue?");
      const raw = await curl([
        "-si",
        `${url}/api/chat`,
        "-d",
        JSON.stringify({ model: SOLO_MODEL, messages }),
      ]);
      const [head, body] = raw.split(/\r\n\r\n/, 2);
      assert.match(head, /^HTTP\/1\.1 200/);
      assert.match(head, new RegExp(`^x-neuromesh-host: ${llm.id(llm.h1)}\r?$`, "im"));
      assert.match(head, /^content-type: application\/x-ndjson/im);
      const lines = body.trim().split("\n").map((line) => JSON.parse(line));
      assert.equal(lines.map(contentOf).join(""), expectedAnswer(SOLO_MODEL, messages));
      assert.equal(lines.at(-1).done, true);

      const hello = ask("Hello");
      const completion = JSON.parse(
        await curl([
          "-s",
          `${url}/v1/chat/completions`,
          "-H",
          "Content-Type: application/json",
          "-d",
          JSON.stringify({ model: SOLO_MODEL, messages: hello }),
        ]),
      );
      assert.equal(completion.choices[0].message.content, expectedAnswer(SOLO_MODEL, hello));

      // Without its tag a model means `:latest`, as in Ollama: the 503 lists what there is.
      const untagged = await curl([
        "-s",
        `${url}/api/chat`,
        "-d",
        JSON.stringify({ model: "meshllm", messages: hello }),
      ]);
      assert.deepEqual(JSON.parse(untagged), {
        error: `model "meshllm" is not available on the mesh; ` +
          `the mesh offers: ${SHARED_MODEL}, ${SOLO_MODEL}`,
      });
    }),
});

const REMOTE_CLIENT = new URL("./llm_remote_client.ts", import.meta.url).pathname;
const DENO_JSON = new URL("../../deno.json", import.meta.url).pathname;

Deno.test({
  name: "another device reaches a node's LAN address with its API token (curl, ollama, openai)",
  ...curlOptions,
  fn: () =>
    withLab(0, async (llm) => {
      assertCapability(curlUnavailable);
      // Node C's namespace plays a third device; it talks to A's address on the LAN.
      const device = llm.c;
      const lanUrl = `http://${llm.a.address}:8080`;
      const status = await device.exec([
        "curl",
        "-s",
        "-o",
        "/dev/null",
        "-w",
        "%{http_code}",
        `${lanUrl}/api/tags`,
      ]); // deno-fmt-ignore
      assert.equal(status, "401", "no token: refused");

      const hello = ask("Hello from another device");
      const answer = JSON.parse(
        await device.exec([
          "curl",
          "-s",
          `${lanUrl}/api/chat`,
          "-H",
          `Authorization: Bearer ${API_TOKEN}`,
          "-d",
          JSON.stringify({ model: SOLO_MODEL, messages: hello, stream: false }),
        ]), // deno-fmt-ignore
      );
      assert.equal(answer.message.content, expectedAnswer(SOLO_MODEL, hello));

      const started = performance.now();
      const out = await device.exec([
        DENO,
        "run",
        "--allow-all",
        "--quiet",
        "--config",
        DENO_JSON,
        REMOTE_CLIENT,
        lanUrl,
        API_TOKEN,
        SHARED_MODEL,
        "Hello from another device",
      ]); // deno-fmt-ignore
      const result = JSON.parse(out.trim().split("\n").at(-1)!);
      const expected = expectedAnswer(SHARED_MODEL, hello);
      assert.equal(result.ollama, expected, "ollama client with the token header");
      assert.equal(result.openai, expected, "openai client with the token as apiKey");
      assert.ok(llm.llmHosts.includes(llm.hostById(result.servedBy)));
      assert.equal(result.wrongToken.status, 401, JSON.stringify(result.wrongToken));
      assert.match(result.wrongToken.message, /wrong API token/);
      console.log(
        `another device: curl and both SDKs answered through ${lanUrl} with the token ` +
          `(client process ${(performance.now() - started).toFixed(0)} ms); without it: 401`,
      );
    }),
});

Deno.test({
  name: "20 concurrent requests from a client node are spread 40–60 % over two equal hosts",
  ...options,
  fn: () =>
    withLab(20, async (llm) => {
      const before = await completedBy(llm);
      const started = performance.now();
      const answers = await Promise.all(Array.from({ length: 20 }, async (_, i) => {
        const messages = ask(`question ${i}`);
        const res = await post(llm.a.node, "/api/chat", {
          model: SHARED_MODEL,
          messages,
          stream: false,
        });
        const body = await res.json();
        assert.equal(res.status, 200, JSON.stringify(body));
        assert.equal(body.message.content, expectedAnswer(SHARED_MODEL, messages));
        return llm.hostById(res.headers.get("x-neuromesh-host"));
      }));
      const elapsed = performance.now() - started;
      const counts = new Map(llm.llmHosts.map((h) => [h, answers.filter((a) => a === h).length]));
      const shares = llm.llmHosts.map((h) => `${h.name} ${counts.get(h)}`).join(", ");
      console.log(`20 concurrent requests in ${elapsed.toFixed(0)} ms: ${shares}`);
      for (const [host, count] of counts) {
        assert.ok(count >= 8 && count <= 12, `${host.name} served ${count}/20 (${shares})`);
      }
      await expectCompleted(llm, before, counts);
    }),
});

Deno.test({
  name: "a client that stops reading stops the host's generation",
  ...options,
  fn: () =>
    withLab(100, async (llm) => {
      const abort = new AbortController();
      const res = await post(llm.a.node, "/api/chat", {
        model: SHARED_MODEL,
        messages: ask("Tell me a long story"),
      }, abort.signal);
      assert.equal(res.status, 200);
      const server = llm.hostById(res.headers.get("x-neuromesh-host"));
      const reader = new NdjsonReader(res.body!);
      for (let i = 0; i < 3; i++) assert.ok(await reader.next(), "three chunks before the end");
      const active = await llm.double(server).stats();
      assert.equal(active.activeStreams, 1, `${server.name}'s double is generating`);
      abort.abort();
      await reader.cancel();
      const stoppedMs = await waitFor(
        `${server.name}'s generation to stop`,
        async () => {
          const stats = await llm.double(server).stats();
          return stats.cancelled >= 1 && stats.activeStreams === 0;
        },
        2_000,
        20,
      );
      const stats = await llm.double(server).stats();
      assert.ok(stats.tokensSent < 20, `stopped early: ${stats.tokensSent} of 20 tokens generated`);
      assert.equal(stats.completed, 0);
      console.log(
        `client abort: ${server.name}'s generation stopped ${stoppedMs.toFixed(0)} ms later ` +
          `after ${stats.tokensSent} of 20 tokens`,
      );
    }),
});

Deno.test({
  name: "the 101st request in a minute from one peer gets 429 while another peer is served",
  ...options,
  fn: () =>
    withLab(0, async (llm) => {
      const h1 = llm.id(llm.h1);
      const chat = (node: LabNode, i: number) =>
        post(node, "/api/chat", { model: SOLO_MODEL, messages: ask(`q${i}`), stream: false });
      const started = performance.now();
      // Sequential, so the host's capacity and queue never refuse anything: only the rate does.
      for (let i = 1; i <= 100; i++) {
        const res = await chat(llm.b.node, i);
        const body = await res.json();
        assert.equal(res.status, 200, `request ${i} of B: ${JSON.stringify(body)}`);
        assert.equal(res.headers.get("x-neuromesh-host"), h1);
        assert.equal(body.message.content, expectedAnswer(SOLO_MODEL, ask(`q${i}`)));
      }
      const hundredMs = performance.now() - started;
      const refused = await chat(llm.b.node, 101);
      const refusal = await refused.json();
      assert.equal(refused.status, 429, JSON.stringify(refusal));
      assert.match(refusal.error, /rate limited/);
      assert.match(refusal.error, /over 100 requests per minute/);
      assert.ok(performance.now() - started < 60_000, "all 101 requests within one minute");

      const other = await chat(llm.c.node, 1);
      const answer = await other.json();
      assert.equal(other.status, 200, `C after B was limited: ${JSON.stringify(answer)}`);
      assert.equal(other.headers.get("x-neuromesh-host"), h1);
      assert.equal(answer.message.content, expectedAnswer(SOLO_MODEL, ask("q1")));

      // The host's own account of it (`/api/status` peers[].access).
      const peers = (await llm.h1.node.status()).peers as unknown as {
        id: string;
        access: { requests: number; granted: number; refused: number; limited: boolean } | null;
      }[];
      const accessOf = (host: LabHost) => peers.find((p) => p.id === llm.id(host))?.access;
      assert.deepEqual(accessOf(llm.b), { requests: 101, granted: 100, refused: 1, limited: true });
      assert.deepEqual(accessOf(llm.c), { requests: 1, granted: 1, refused: 0, limited: false });
      console.log(
        `rate limit: B's 100 sequential requests took ${hundredMs.toFixed(0)} ms; ` +
          `the 101st got 429 "${refusal.error}"; C was served by H1 right after`,
      );
    }),
});

Deno.test({
  name: "a host SIGKILLed mid-answer: the other host completes it with no gap or repeat",
  ...options,
  fn: () =>
    withLab(100, async (llm) => {
      const messages = ask("Explain failover");
      const res = await post(llm.a.node, "/api/chat", { model: SHARED_MODEL, messages });
      assert.equal(res.status, 200);
      const victim = llm.hostById(res.headers.get("x-neuromesh-host"));
      const survivor = llm.llmHosts.find((h) => h !== victim)!;
      const reader = new NdjsonReader(res.body!);
      let text = "";
      const arrivals: number[] = [];
      let last: Record<string, unknown> | null = null;
      for (let i = 0; i < 5; i++) {
        last = await reader.next();
        assert.ok(last && !last.done, "five chunks before the kill");
        text += contentOf(last);
        arrivals.push(performance.now());
      }
      const killedAt = performance.now();
      await victim.node.stop("SIGKILL");
      let chunksAfter = 0;
      let firstAfterKill: number | undefined;
      for (let i = 0; i < 1_000; i++) {
        const line = await reader.next();
        if (!line) break;
        assert.equal(line.error, undefined, `no error in the stream: ${JSON.stringify(line)}`);
        text += contentOf(line);
        firstAfterKill ??= contentOf(line) ? performance.now() : undefined;
        if (contentOf(line)) chunksAfter++;
        last = line;
      }
      assert.equal(text, expectedAnswer(SHARED_MODEL, messages), "joined answer, exactly");
      assert.equal(last?.done, true);
      const trailer = last?.neuromesh as Trailer;
      assert.equal(trailer.failedOver, true);
      assert.deepEqual(trailer.hosts.map((h) => h.nodeId), [victim, survivor].map(llm.id, llm));
      const survivorStats = await llm.double(survivor).stats();
      assert.equal(survivorStats.continued, 1, `${survivor.name} continued the answer`);
      const gapMs = (firstAfterKill ?? Number.NaN) - killedAt;
      console.log(
        `failover: ${victim.name} killed after ${arrivals.length} chunks, ${survivor.name} ` +
          `sent the next text ${gapMs.toFixed(0)} ms after the kill (${chunksAfter} chunks, ` +
          `token interval 100 ms); the answer matched exactly`,
      );
    }),
});

Deno.test({
  name: "with every host gone, a clear 503 names the model and what the mesh offers",
  ...curlOptions,
  fn: () =>
    withLab(0, async (llm) => {
      assertCapability(curlUnavailable);
      const a = llm.a.node;
      const messages = ask("Anyone there?");
      // H1 gone: the model only it had is unavailable, H2's is still offered.
      await llm.h1.node.stop("SIGKILL");
      await waitFor(
        "A to drop H1's models",
        async () => {
          return !(await meshModels(a)).some((m) => m.name === SOLO_MODEL);
        },
        10_000,
        50,
      );
      const soloRes = await post(a, "/api/chat", { model: SOLO_MODEL, messages });
      const solo = await soloRes.json();
      assert.equal(soloRes.status, 503, JSON.stringify(solo));
      assert.equal(
        solo.error,
        `model "${SOLO_MODEL}" is not available on the mesh; the mesh offers: ${SHARED_MODEL}`,
      );
      assert.deepEqual(await healthyHostsOf(a, SHARED_MODEL), [llm.id(llm.h2)]);

      // H2 gone as well: nothing left, in both APIs' shapes.
      await llm.h2.node.stop("SIGKILL");
      await waitFor(
        "A to drop H2's models",
        async () => {
          return (await meshModels(a)).length === 0;
        },
        10_000,
        50,
      );
      // The curl line of docs/llm.md.
      const raw = await curl([
        "-si",
        `${a.url}/api/chat`,
        "-d",
        JSON.stringify({ model: SHARED_MODEL, messages }),
      ]);
      const [head, body] = raw.split(/\r\n\r\n/, 2);
      assert.match(head, /^HTTP\/1\.1 503 Service Unavailable/);
      const ollamaBody = JSON.parse(body);
      const expected =
        `model "${SHARED_MODEL}" is not available on the mesh; no host on the mesh offers any model`;
      assert.deepEqual(ollamaBody, { error: expected });

      const openai = new OpenAI({ baseURL: `${a.url}/v1`, apiKey: "unused", maxRetries: 0 });
      const failure = await openai.chat.completions
        .create({
          model: SHARED_MODEL,
          messages: messages as OpenAI.ChatCompletionMessageParam[],
          stream: true,
        })
        .then(() => null, (error) => error);
      assert.ok(failure instanceof OpenAI.APIError, `openai client error: ${failure}`);
      assert.equal(failure.status, 503);
      assert.equal(failure.message, `503 ${expected}`);
      console.log(`all hosts gone: 503 "${ollamaBody.error}"`);
    }),
});
