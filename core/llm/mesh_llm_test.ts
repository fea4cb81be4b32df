import assert from "node:assert/strict";
import { expectedAnswer } from "../../tests/ollama_double/answer.ts";
import { ChatError, type ChatRequest, type ChatTurn } from "./chat.ts";
import { continuation } from "./mesh_llm.ts";
import { collect, TestMesh, waitUntil } from "../../tests/support/llm_mesh.ts";

const MODEL = "tinyllama:1.1b";
const ask = (text: string): ChatTurn[] => [{ role: "user", content: text }];

Deno.test("continuation() appends the partial answer, or extends a trailing assistant turn", () => {
  assert.deepEqual(continuation(ask("hi"), "Hel"), [...ask("hi"), {
    role: "assistant",
    content: "Hel",
  }]);
  assert.deepEqual(
    continuation([...ask("hi"), { role: "assistant", content: "A" }], "B"),
    [...ask("hi"), { role: "assistant", content: "AB" }],
  );
});

Deno.test("MeshLlm answers from the other node when it has no backend itself", async () => {
  await using fixture = await TestMesh.create([{ id: "host", double: { models: [MODEL] } }, {
    id: "client",
  }]);
  const client = fixture.node("client").llm;
  assert.equal(client.hasLlm, false);
  assert.deepEqual(client.models().map((m) => [m.name, m.hosts.map((h) => h.nodeId)]), [[MODEL, [
    "host",
  ]]]);

  const messages = ask("why is the sky blue?");
  const { text, chunks } = await collect(client, { model: "tinyllama:1.1b", messages });
  assert.equal(text, expectedAnswer(MODEL, messages));
  assert.ok(
    chunks.every((c) => c.servedBy.nodeId === "host" && c.servedBy.nodeName === "node-host"),
  );
  const last = chunks.at(-1)!;
  assert.equal(last.done, true);
  assert.equal(last.doneReason, "stop");
  assert.equal(last.stats?.evalCount, 20);
  assert.equal(fixture.node("host").double!.completed, 1);
  const [counters] = fixture.node("host").llm.accessCounters();
  assert.equal(counters.peerId, "client");
  assert.equal(counters.requests, 1);
  assert.equal(counters.granted, 1);
  assert.equal(counters.accessRequests, 1);
  // The host announces its load again once the slot is free.
  await waitUntil(
    () => client.peerSummary("host")?.load?.inFlight === 0,
    1_000,
    "the host's load to drop",
  );
  assert.deepEqual(client.peerSummary("host"), {
    models: [MODEL],
    load: { inFlight: 0, capacity: 2, queued: 0 },
    tokensPerSec: client.hostStatus()[0].capability!.tokensPerSecond || null,
    access: null,
  });
  assert.deepEqual(fixture.node("host").llm.peerSummary("client"), {
    models: [],
    load: null,
    tokensPerSec: null,
    access: { requests: 1, granted: 1, refused: 0, limited: false },
  });
  assert.equal(client.peerSummary("nobody"), null);
});

Deno.test("MeshLlm serves from the local backend first when it has the model", async () => {
  await using fixture = await TestMesh.create([
    { id: "a", double: { models: [MODEL] } },
    { id: "b", double: { models: [MODEL] } },
  ]);
  const messages = ask("local please");
  const { text, chunks } = await collect(fixture.node("b").llm, {
    model: "tinyllama:1.1b",
    messages,
  });
  assert.equal(text, expectedAnswer(MODEL, messages));
  assert.equal(chunks[0].servedBy.nodeId, "b");
  assert.equal(fixture.node("a").double!.stats().requestCounts["/api/chat"], undefined);
});

Deno.test("MeshLlm spreads 20 concurrent requests over 2 equal hosts (each 40-60 %)", async () => {
  await using fixture = await TestMesh.create([
    { id: "a", double: { models: [MODEL], tokenLatencyMs: 2, tokens: 10 } },
    { id: "b", double: { models: [MODEL], tokenLatencyMs: 2, tokens: 10 } },
    { id: "client" },
  ]);
  const client = fixture.node("client").llm;
  const results = await Promise.all(
    Array.from(
      { length: 20 },
      (_, i) => collect(client, { model: MODEL, messages: ask(`question ${i}`) }),
    ),
  );
  const served = { a: 0, b: 0 } as Record<string, number>;
  results.forEach((result, i) => {
    assert.equal(result.text, expectedAnswer(MODEL, ask(`question ${i}`), 10));
    served[result.chunks[0].servedBy.nodeId]++;
  });
  assert.ok(served.a >= 8 && served.a <= 12, `host a served ${served.a} of 20`);
  assert.ok(served.b >= 8 && served.b <= 12, `host b served ${served.b} of 20`);
});

Deno.test("MeshLlm fails over mid-stream when the host's Ollama breaks, continuing the same answer", async () => {
  await using fixture = await TestMesh.create([
    {
      id: "a",
      double: { models: [MODEL], fault: { kind: "closeMidStream", afterTokens: 7, times: 1 } },
    },
    { id: "b", double: { models: [MODEL] } },
    { id: "client" },
  ]);
  const messages = ask("tell me a story");
  const { text, chunks } = await collect(fixture.node("client").llm, {
    model: MODEL,
    messages,
    preferredHost: "a",
  });
  assert.equal(text, expectedAnswer(MODEL, messages));
  assert.equal(chunks[0].servedBy.nodeId, "a");
  const switched = chunks.findIndex((c) => c.servedBy.nodeId === "b");
  assert.ok(switched > 0, "no chunk came from b");
  assert.deepEqual(chunks[switched].failedOverFrom, {
    nodeId: "a",
    nodeName: "node-a",
    model: MODEL,
  });
  assert.ok(chunks.slice(switched).every((c) => c.servedBy.nodeId === "b"));
  assert.equal(chunks.filter((c) => c.failedOverFrom).length, 1);
  assert.equal(fixture.node("b").double!.continued, 1);
  assert.equal(chunks.filter((c) => c.done).length, 1);
});

Deno.test("MeshLlm fails over when the link to the host is cut mid-stream", async () => {
  await using fixture = await TestMesh.create([
    { id: "a", double: { models: [MODEL], tokenLatencyMs: 10, tokens: 40 } },
    { id: "b", double: { models: [MODEL], tokenLatencyMs: 1, tokens: 40 } },
    { id: "client" },
  ]);
  const messages = ask("a long answer please");
  const chunks = [];
  for await (
    const chunk of fixture.node("client").llm.chat({ model: MODEL, messages, preferredHost: "a" })
  ) {
    chunks.push(chunk);
    if (chunks.length === 5) fixture.mesh.unlink("client", "a");
  }
  const text = chunks.map((c) => c.content).join("");
  assert.equal(text, expectedAnswer(MODEL, messages, 40));
  assert.deepEqual(chunks.slice(0, 5).map((c) => c.servedBy.nodeId), ["a", "a", "a", "a", "a"]);
  assert.equal(chunks.at(-1)!.servedBy.nodeId, "b");
  assert.ok(chunks.some((c) => c.failedOverFrom?.nodeId === "a"));
  // The host saw the link go down and stopped generating.
  await fixture.node("a").double!.waitFor((s) => s.cancelled === 1);
});

Deno.test("MeshLlm tries the next host when the first fails before any token", async () => {
  await using fixture = await TestMesh.create([
    { id: "a", double: { models: [MODEL], fault: { kind: "http500", times: 1 } } },
    { id: "b", double: { models: [MODEL] } },
    { id: "client" },
  ]);
  const messages = ask("hello");
  const { text, chunks } = await collect(fixture.node("client").llm, {
    model: MODEL,
    messages,
    preferredHost: "a",
  });
  assert.equal(text, expectedAnswer(MODEL, messages));
  assert.ok(chunks.every((c) => c.servedBy.nodeId === "b"));
  assert.equal(chunks[0].failedOverFrom?.nodeId, "a");
  assert.equal(fixture.node("b").double!.continued, 0);
  // a is ranked unhealthy for a while: the next request goes to b without a preference.
  const again = await collect(fixture.node("client").llm, { model: MODEL, messages: ask("again") });
  assert.equal(again.chunks[0].servedBy.nodeId, "b");
});

Deno.test("MeshLlm answers no_host naming the model when every host is gone", async () => {
  await using fixture = await TestMesh.create([
    { id: "a", double: { models: [MODEL] } },
    { id: "b", double: { models: [MODEL] } },
    { id: "client" },
  ]);
  fixture.mesh.unlink("client", "a");
  fixture.mesh.unlink("client", "b");
  await waitUntil(
    () => fixture.node("client").llm.models().length === 0,
    1_000,
    "models to vanish",
  );
  await assert.rejects(
    () => collect(fixture.node("client").llm, { model: MODEL, messages: ask("anyone?") }),
    (error: unknown) => {
      assert.ok(error instanceof ChatError);
      assert.equal(error.kind, "no_host");
      assert.match(
        error.message,
        /model "tinyllama:1.1b" is not available on the mesh; no host on the mesh offers any model/,
      );
      return true;
    },
  );
});

Deno.test("MeshLlm names what the mesh offers when the requested model is missing", async () => {
  await using fixture = await TestMesh.create([
    { id: "a", double: { models: [MODEL, "qwen3:8b"] } },
    { id: "c" },
  ]);
  await assert.rejects(
    () => collect(fixture.node("c").llm, { model: "mistral", messages: ask("x") }),
    /model "mistral" is not available on the mesh; the mesh offers: qwen3:8b, tinyllama:1.1b/,
  );
});

Deno.test("MeshLlm refuses the 101st request in a minute from one peer while another peer is served", async () => {
  await using fixture = await TestMesh.create([
    { id: "host", double: { models: [MODEL], tokens: 1 } },
    { id: "greedy" },
    { id: "polite" },
  ]);
  const greedy = fixture.node("greedy").llm;
  for (let i = 0; i < 100; i += 10) {
    await Promise.all(
      Array.from(
        { length: 10 },
        (_, j) => collect(greedy, { model: MODEL, messages: ask(`q${i + j}`) }),
      ),
    );
  }
  await assert.rejects(
    () => collect(greedy, { model: MODEL, messages: ask("one too many") }),
    (error: unknown) => {
      assert.ok(error instanceof ChatError);
      assert.equal(error.kind, "rate_limited");
      assert.match(error.message, /over 100 requests per minute/);
      return true;
    },
  );
  const polite = await collect(fixture.node("polite").llm, {
    model: MODEL,
    messages: ask("hello"),
  });
  assert.equal(polite.chunks[0].servedBy.nodeId, "host");
  const counters = Object.fromEntries(
    fixture.node("host").llm.accessCounters().map((c) => [c.peerId, c]),
  );
  assert.equal(counters.greedy.requests, 101);
  assert.equal(counters.greedy.granted, 100);
  assert.deepEqual(counters.greedy.refusedBy, { rate_limited: 1 });
  assert.equal(counters.greedy.limited, true);
  assert.equal(counters.polite.granted, 1);
});

Deno.test("MeshLlm stops the host's generation when the client aborts", async () => {
  await using fixture = await TestMesh.create([
    { id: "host", double: { models: [MODEL], tokenLatencyMs: 20, tokens: 200 } },
    { id: "client" },
  ]);
  const abort = new AbortController();
  let received = 0;
  await assert.rejects(async () => {
    for await (
      const _ of fixture.node("client").llm.chat(
        { model: MODEL, messages: ask("go") },
        abort.signal,
      )
    ) {
      if (++received === 3) abort.abort(new Error("user pressed stop"));
    }
  }, /user pressed stop/);
  const stats = await fixture.node("host").double!.waitFor((s) => s.cancelled === 1);
  assert.equal(stats.completed, 0);
  assert.ok(stats.tokensSent < 200, `host generated ${stats.tokensSent} tokens`);
  await waitUntil(
    () => fixture.node("host").llm.localStatus().inFlight === 0,
    1_000,
    "the slot to be released",
  );
});

Deno.test("MeshLlm stops the host's generation when the consumer stops reading", async () => {
  await using fixture = await TestMesh.create([
    { id: "host", double: { models: [MODEL], tokenLatencyMs: 20, tokens: 200 } },
    { id: "client" },
  ]);
  let received = 0;
  for await (const _ of fixture.node("client").llm.chat({ model: MODEL, messages: ask("go") })) {
    if (++received === 2) break;
  }
  await fixture.node("host").double!.waitFor((s) => s.cancelled === 1);
});

Deno.test("MeshLlm frees the host once it yields the final chunk, even if nobody reads on", async () => {
  await using fixture = await TestMesh.create([
    { id: "host", double: { models: [MODEL], tokens: 5 } },
    { id: "client" },
  ]);
  const host = fixture.node("host").llm;
  const client = fixture.node("client").llm;
  // Consumers that stop at the final chunk without calling return() (a manual iterator).
  const readToFinalChunk = async (service: typeof host, text: string) => {
    const iterator = service.chat({ model: MODEL, messages: ask(text) })[Symbol.asyncIterator]();
    while (true) {
      const next = await iterator.next();
      if (next.done || next.value.done) return;
    }
  };
  await readToFinalChunk(host, "local answer");
  assert.equal(host.localStatus().inFlight, 0, "the local slot is free");
  await readToFinalChunk(client, "remote answer");
  assert.equal(client.hostStatus()[0].open, 0, "no request to the host is open");
  await waitUntil(() => host.localStatus().inFlight === 0, 1_000, "the host's slot to be free");
  await waitUntil(
    () => client.peerSummary("host")?.load?.inFlight === 0,
    1_000,
    "the host to announce its slot free",
  );
});

Deno.test("MeshLlm queues beyond capacity and answers busy when the queue is full", async () => {
  await using fixture = await TestMesh.create([
    {
      id: "host",
      double: { models: [MODEL], tokenLatencyMs: 5, tokens: 10 },
      config: { capacity: 1, queueSize: 1 },
    },
  ]);
  const host = fixture.node("host").llm;
  const first = collect(host, { model: MODEL, messages: ask("1") });
  const second = collect(host, { model: MODEL, messages: ask("2") });
  await waitUntil(() => host.localStatus().queued === 1, 1_000, "the second request to queue");
  await assert.rejects(
    () => collect(host, { model: MODEL, messages: ask("3") }),
    (error: unknown) => error instanceof ChatError && error.kind === "busy",
  );
  assert.equal((await first).text, expectedAnswer(MODEL, ask("1"), 10));
  assert.equal((await second).text, expectedAnswer(MODEL, ask("2"), 10));
});

Deno.test("MeshLlm keeps a conversation on the host that answered it last", async () => {
  await using fixture = await TestMesh.create([
    { id: "a", double: { models: [MODEL] } },
    { id: "b", double: { models: [MODEL], firstTokenLatencyMs: 40 } },
    { id: "client" },
  ]);
  const client = fixture.node("client").llm;
  const hostOf = async (request: Partial<ChatRequest>) =>
    (await collect(client, { model: MODEL, messages: ask("q"), ...request })).chunks[0].servedBy
      .nodeId;
  // Both measured: a answers its first token faster than b.
  assert.equal(await hostOf({ preferredHost: "a" }), "a");
  assert.equal(await hostOf({ preferredHost: "b", conversationId: "c1" }), "b");
  assert.equal(await hostOf({ conversationId: "c1" }), "b");
  assert.equal(await hostOf({ conversationId: "c2" }), "a");
  assert.equal(await hostOf({ conversationId: "c1" }), "b");
});

Deno.test("MeshLlm hosts that stop serving refuse access and vanish from the model list", async () => {
  await using fixture = await TestMesh.create([{ id: "a", double: { models: [MODEL] } }, {
    id: "client",
  }]);
  fixture.updateSettings("a", { serveLlm: false });
  const client = fixture.node("client").llm;
  await waitUntil(() => client.models().length === 0, 1_000, "a's models to vanish");
  await assert.rejects(
    () => collect(client, { model: MODEL, messages: ask("x") }),
    /not available on the mesh/,
  );
  fixture.updateSettings("a", { serveLlm: true });
  await waitUntil(() => client.models().length === 1, 1_000, "a's models to return");
});

Deno.test("MeshLlm refuses peers from blocked ranges with a reason", async () => {
  await using fixture = await TestMesh.create([
    { id: "a", double: { models: [MODEL] }, config: { blockCidr: ["127.0.0.0/8"] } },
    { id: "client" },
  ]);
  const client = fixture.node("client").llm;
  await assert.rejects(
    () => collect(client, { model: MODEL, messages: ask("x") }),
    /node-a refused access: peer address 127\.0\.0\.1 is in a blocked range/,
  );
  assert.equal(client.hostStatus()[0].access, "refused");
  assert.equal(client.models().length, 0);
  assert.deepEqual(fixture.node("a").llm.accessCounters()[0].accessRequests, 1);
});
