import assert from "node:assert/strict";
import type { Hono } from "hono";
import { FakeChat } from "../llm/testing/fake_chat.ts";
import type { Conversation } from "../model/conversation.ts";
import { createConversationService } from "../conversations/create_service.ts";
import type { ConversationService } from "../conversations/service.ts";
import { EventHub } from "../events/hub.ts";
import { silentLogger } from "../log/logger.ts";
import { FakeClock } from "../time/clock.ts";
import { MemoryMesh } from "../peers/testing/memory_mesh.ts";
import { ConversationStore } from "../store/store.ts";
import { encodeHlc } from "../time/hlc.ts";
import { conversationRoutes } from "./conversation_routes.ts";

interface Harness {
  app: Hono;
  service: ConversationService;
  store: ConversationStore;
  chat: FakeChat;
}

async function withApp(fn: (h: Harness) => Promise<void>) {
  const store = ConversationStore.openPath(":memory:", { nodeId: "SELF" });
  const chat = new FakeChat();
  const service = createConversationService({
    nodeId: "SELF",
    settings: () => ({ name: "me", sharing: true }),
    store,
    bus: new MemoryMesh().node("SELF"),
    chat,
    events: new EventHub(),
    antiEntropyMs: 30_000,
    logger: silentLogger,
    timers: new FakeClock(),
  });
  service.start();
  try {
    await fn({ app: conversationRoutes(service), service, store, chat });
  } finally {
    await service.stop();
    store.close();
  }
}

const json = (body: unknown, method = "POST"): RequestInit => ({
  method,
  headers: { "content-type": "application/json" },
  body: typeof body === "string" ? body : JSON.stringify(body),
});

async function create(app: Hono, title?: string): Promise<Conversation> {
  const res = await app.request("/api/conversations", json(title === undefined ? {} : { title }));
  assert.equal(res.status, 201);
  return await res.json();
}

async function lines(res: Response): Promise<Record<string, unknown>[]> {
  const text = await res.text();
  return text.trim().split("\n").map((line) => JSON.parse(line));
}

/** A conversation received from another node, read-only here. */
function receiveForeign(store: ConversationStore): string {
  store.applyRemote([{
    type: "conversation",
    origin: "PEER",
    seq: 1,
    value: {
      id: "foreign",
      title: "Theirs",
      originNode: "PEER",
      hostInfo: { nodeId: "PEER", nodeName: "peer-box", isLlmHost: true },
      createdAt: "2025-03-25T13:56:00Z",
      shared: true,
      hlc: encodeHlc({ wallMs: 1, counter: 0, nodeId: "PEER" }),
    },
  }]);
  return "foreign";
}

Deno.test("POST /api/conversations creates; GET lists it newest first and serves it", async () => {
  await withApp(async ({ app, store }) => {
    const first = await create(app, "First");
    const second = await create(app);
    assert.equal(second.title, "New conversation");
    receiveForeign(store);
    const list = await (await app.request("/api/conversations")).json();
    assert.deepEqual(
      list.local.map((s: { id: string }) => s.id).sort(),
      [first.id, second.id].sort(),
    );
    assert.deepEqual(Object.keys(list.local[0]).sort(), [
      "createdAt",
      "id",
      "messageCount",
      "originName",
      "originNode",
      "preview",
      "readOnly",
      "shared",
      "title",
      "updatedAt",
    ]);
    assert.deepEqual(list.received[0].peer, { id: "PEER", name: "peer-box" });
    assert.equal(list.received[0].conversations[0].readOnly, true);
    const res = await app.request(`/api/conversations/${first.id}`);
    assert.equal(res.status, 200);
    assert.equal((await res.json()).title, "First");
    const missing = await app.request("/api/conversations/nope");
    assert.equal(missing.status, 404);
    assert.match((await missing.json()).error, /no conversation "nope"/);
  });
});

Deno.test("POST /messages streams NDJSON question, response, deltas, done and persists them", async () => {
  await withApp(async ({ app }) => {
    const { id } = await create(app);
    const res = await app.request(
      `/api/conversations/${id}/messages`,
      json({ content: "Hi there", model: "llama3.2" }),
    );
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type")!, /^application\/x-ndjson/);
    const events = await lines(res);
    assert.deepEqual(events.map((e) => e.type), [
      "question",
      "response",
      "serving",
      "delta",
      "delta",
      "delta",
      "done",
    ]);
    const response = events[1].message as { id: string; content: string; complete: boolean };
    assert.deepEqual([response.content, response.complete], ["", false]);
    assert.deepEqual(events[2], {
      type: "serving",
      messageId: response.id,
      servedBy: { nodeId: "GPU", nodeName: "gpu-box", model: "llama3.2" },
    });
    const { stats, ...delta } = events[3];
    assert.deepEqual(delta, { type: "delta", messageId: response.id, content: "Hello" });
    assert.equal((stats as { tokens: number }).tokens, 1, "the delta counts the tokens so far");
    const done = events[6].message as {
      content: string;
      complete: boolean;
      hostInfo: { nodeName: string };
      stats: unknown;
    };
    assert.deepEqual([done.content, done.complete, done.hostInfo.nodeName], [
      "Hello, world.",
      true,
      "gpu-box",
    ]);
    assert.ok(done.stats);
    const saved: Conversation = await (await app.request(`/api/conversations/${id}`)).json();
    assert.deepEqual(saved.messages.map((m) => [m.messageType, m.content]), [[
      "Question",
      "Hi there",
    ], ["Response", "Hello, world."]]);
  });
});

Deno.test("closing the answer stream mid-answer stops it and saves the partial answer", async () => {
  await withApp(async ({ app, service, chat }) => {
    chat.setScript({ pieces: ["Half", " an", " answer"], holdAfter: 2 });
    const { id } = await create(app);
    const res = await app.request(
      `/api/conversations/${id}/messages`,
      json({ content: "long one" }),
    );
    const reader = res.body!.getReader();
    await chat.held;
    await reader.read();
    await reader.cancel();
    const deadline = Date.now() + 2000;
    let response = service.get(id)!.messages[1];
    while (!response.complete && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      response = service.get(id)!.messages[1];
    }
    assert.deepEqual([response.content, response.complete, response.stopped], [
      "Half an",
      true,
      true,
    ]);
  });
});

Deno.test("aborting the request (client disconnect) stops the answer too", async () => {
  await withApp(async ({ app, service, chat }) => {
    chat.setScript({ pieces: ["Only", " this"], holdAfter: 1 });
    const { id } = await create(app);
    const controller = new AbortController();
    const res = await app.request(`/api/conversations/${id}/messages`, {
      ...json({ content: "q" }),
      signal: controller.signal,
    });
    await chat.held;
    controller.abort();
    await res.body?.cancel().catch(() => {});
    await service.stop();
    const response = service.get(id)!.messages[1];
    assert.deepEqual([response.content, response.stopped], ["Only", true]);
  });
});

Deno.test("POST /regenerate streams a new answer without a question line", async () => {
  await withApp(async ({ app }) => {
    const { id } = await create(app);
    await (await app.request(`/api/conversations/${id}/messages`, json({ content: "q" }))).text();
    const events = await lines(
      await app.request(`/api/conversations/${id}/regenerate`, { method: "POST" }),
    );
    assert.deepEqual(events.map((e) => e.type), [
      "response",
      "serving",
      "delta",
      "delta",
      "delta",
      "done",
    ]);
  });
});

Deno.test("an error from the LLM layer ends the stream with an error line of its kind", async () => {
  await withApp(async ({ app, chat }) => {
    const { ChatError } = await import("../llm/chat.ts");
    chat.setScript({ refuseWith: new ChatError("all hosts are busy", "busy") });
    const { id } = await create(app);
    const events = await lines(
      await app.request(`/api/conversations/${id}/messages`, json({ content: "q" })),
    );
    const last = events.at(-1)!;
    assert.deepEqual([last.type, last.kind, last.error], ["error", "busy", "all hosts are busy"]);
    assert.equal(typeof last.messageId, "string");
  });
});

Deno.test("bad input answers 400 with a clear message and stores nothing", async () => {
  await withApp(async ({ app }) => {
    const { id } = await create(app);
    const cases: [string, RequestInit, RegExp][] = [
      [`/api/conversations/${id}/messages`, json("{oops"), /valid JSON/],
      [`/api/conversations/${id}/messages`, json({ content: "   " }), /content: must not be empty/],
      [`/api/conversations/${id}/messages`, json({ content: 42 }), /content: must be a string/],
      [`/api/conversations/${id}/messages`, json({ content: "x", model: 7 }), /model/],
      [`/api/conversations/${id}/messages`, { method: "POST" }, /JSON object/],
      [`/api/conversations/${id}/messages`, json([1, 2]), /JSON object/],
      [`/api/conversations/${id}`, json({}, "PATCH"), /give title, shared and\/or settings/],
      [`/api/conversations/${id}`, json({ title: "" }, "PATCH"), /title: must not be empty/],
      [
        `/api/conversations/${id}`,
        json({ shared: "yes" }, "PATCH"),
        /shared: must be true or false/,
      ],
      ["/api/conversations", json({ title: "x".repeat(300) }), /title: must be at most 200/],
    ];
    for (const [path, init, message] of cases) {
      const res = await app.request(path, init);
      assert.equal(res.status, 400, `${init.method} ${path} ${init.body}`);
      assert.match((await res.json()).error, message);
    }
    const saved = await (await app.request(`/api/conversations/${id}`)).json();
    assert.equal(saved.messages.length, 0);
  });
});

Deno.test("a received conversation is read-only: 409 suggesting fork; fork gives a local copy", async () => {
  await withApp(async ({ app, store }) => {
    const id = receiveForeign(store);
    for (
      const [path, init] of [
        [`/api/conversations/${id}/messages`, json({ content: "mine now?" })],
        [`/api/conversations/${id}/regenerate`, { method: "POST" }],
        [`/api/conversations/${id}`, json({ title: "renamed" }, "PATCH")],
      ] as [string, RequestInit][]
    ) {
      const res = await app.request(path, init);
      assert.equal(res.status, 409, path);
      assert.match((await res.json()).error, /read-only here; fork it/);
    }
    const fork = await app.request(`/api/conversations/${id}/fork`, { method: "POST" });
    assert.equal(fork.status, 201);
    const copy: Conversation = await fork.json();
    assert.deepEqual([copy.readOnly, copy.originNode, copy.title], [false, "SELF", "Theirs"]);
  });
});

Deno.test("PATCH renames and unshares; DELETE answers 204 and the conversation is gone", async () => {
  await withApp(async ({ app }) => {
    const { id } = await create(app, "Old");
    const patched = await app.request(
      `/api/conversations/${id}`,
      json({ title: "New", shared: false }, "PATCH"),
    );
    assert.equal(patched.status, 200);
    const body: Conversation = await patched.json();
    assert.deepEqual([body.title, body.shared], ["New", false]);
    const deleted = await app.request(`/api/conversations/${id}`, { method: "DELETE" });
    assert.equal(deleted.status, 204);
    assert.equal((await app.request(`/api/conversations/${id}`)).status, 404);
    assert.equal((await app.request(`/api/conversations/${id}`, { method: "DELETE" })).status, 404);
    assert.equal(
      (await app.request(`/api/conversations/${id}/fork`, { method: "POST" })).status,
      404,
    );
    assert.equal(
      (await app.request(`/api/conversations/${id}/messages`, json({ content: "x" }))).status,
      404,
    );
    assert.equal(
      (await app.request(`/api/conversations/${id}/stop`, { method: "POST" })).status,
      404,
    );
  });
});

Deno.test("over a real loopback server, a client that disconnects mid-answer leaves a saved partial", async () => {
  await withApp(async ({ app, service, chat }) => {
    chat.setScript({ pieces: ["Over", " the", " wire"], holdAfter: 2 });
    const { id } = await create(app);
    const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, app.fetch);
    try {
      const controller = new AbortController();
      const res = await fetch(
        `http://127.0.0.1:${server.addr.port}/api/conversations/${id}/messages`,
        {
          ...json({ content: "stream it" }),
          signal: controller.signal,
        },
      );
      const reader = res.body!.getReader();
      let seen = "";
      while (!seen.includes('"delta"')) {
        seen += new TextDecoder().decode((await reader.read()).value);
      }
      await chat.held;
      controller.abort();
      await reader.cancel().catch(() => {});
      const deadline = Date.now() + 3000;
      let response = service.get(id)!.messages[1];
      while (!response.complete && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        response = service.get(id)!.messages[1];
      }
      assert.deepEqual([response.content, response.complete, response.stopped], [
        "Over the",
        true,
        true,
      ]);
    } finally {
      await server.shutdown();
    }
  });
});

Deno.test("edit, regenerate and select keep every version, served in path and versions", async () => {
  await withApp(async ({ app, chat }) => {
    const { id } = await create(app);
    await (await app.request(`/api/conversations/${id}/messages`, json({ content: "q1" }))).text();
    chat.setScript({ pieces: ["Again."] });
    await (await app.request(`/api/conversations/${id}/regenerate`, json({}))).text();
    let c: Conversation = await (await app.request(`/api/conversations/${id}`)).json();
    const [question, first, second] = c.messages.map((m) => m.id);
    assert.deepEqual(c.path, [question, second]);
    assert.deepEqual(c.versions, { [second]: [first, second] });

    chat.setScript({ pieces: ["Edited answer."] });
    const edit = await app.request(
      `/api/conversations/${id}/messages/${question}/edit`,
      json({ content: "q1, better" }),
    );
    assert.equal(edit.status, 200);
    const events = await lines(edit);
    assert.equal(events[0].type, "question");
    c = await (await app.request(`/api/conversations/${id}`)).json();
    assert.equal(c.messages.length, 5);
    assert.deepEqual(c.versions[c.path[0]], [question, c.path[0]]);

    // Selecting an answer under the first question's version shows that whole branch.
    const select = await app.request(`/api/conversations/${id}/select`, json({ messageId: first }));
    assert.equal(select.status, 200);
    assert.deepEqual((await select.json()).path, [question, first]);
    c = await (await app.request(`/api/conversations/${id}`)).json();
    assert.deepEqual(c.path, [question, first], "the choice is stored");

    const unknown = await app.request(`/api/conversations/${id}/select`, json({ messageId: "x" }));
    assert.equal(unknown.status, 404);
    const noBody = await app.request(`/api/conversations/${id}/select`, json({}));
    assert.equal(noBody.status, 400);
    const editAnswer = await app.request(
      `/api/conversations/${id}/messages/${first}/edit`,
      json({ content: "no" }),
    );
    assert.equal(editAnswer.status, 400);
    assert.match((await editAnswer.json()).error, /not a question/);
  });
});

Deno.test("PATCH settings stores the chat's settings, null removes one, bad values are named", async () => {
  await withApp(async ({ app, chat, store }) => {
    const { id } = await create(app);
    const settings = { systemPrompt: "Be terse.", temperature: 0.1, contextLength: 4096 };
    const res = await app.request(`/api/conversations/${id}`, json({ settings }, "PATCH"));
    assert.equal(res.status, 200);
    assert.deepEqual((await res.json()).thread.settings, settings);
    await (await app.request(`/api/conversations/${id}/messages`, json({ content: "hi" }))).text();
    assert.deepEqual(chat.requests[0].messages[0], { role: "system", content: "Be terse." });
    assert.deepEqual(chat.requests[0].options, { temperature: 0.1, num_ctx: 4096 });

    const removed = await app.request(
      `/api/conversations/${id}`,
      json({ settings: { systemPrompt: null } }, "PATCH"),
    );
    assert.deepEqual((await removed.json()).thread.settings, {
      temperature: 0.1,
      contextLength: 4096,
    });
    const bad = await app.request(
      `/api/conversations/${id}`,
      json({ settings: { temperature: 7 } }, "PATCH"),
    );
    assert.equal(bad.status, 400);
    assert.match((await bad.json()).error, /temperature/);
    const foreign = receiveForeign(store);
    const readOnly = await app.request(
      `/api/conversations/${foreign}`,
      json({ settings: { temperature: 1 } }, "PATCH"),
    );
    assert.equal(readOnly.status, 409);
  });
});

Deno.test("POST /title lets the model title a chat still named by its question, never a renamed one", async () => {
  await withApp(async ({ app, chat }) => {
    const { id } = await create(app);
    const early = await app.request(`/api/conversations/${id}/title`, { method: "POST" });
    assert.equal(early.status, 400, "nothing answered yet");
    await early.body?.cancel();
    await (await app.request(
      `/api/conversations/${id}/messages`,
      json({ content: "How do **CRDTs** merge?" }),
    ))
      .text();
    chat.setScript({ pieces: ['"Merging', " CRDTs**.**", '"'] });
    const titled = await app.request(`/api/conversations/${id}/title`, { method: "POST" });
    assert.equal(titled.status, 200);
    assert.equal((await titled.json()).title, "Merging CRDTs");
    assert.equal(chat.requests.at(-1)!.messages[0].role, "system");
    // Once titled (or renamed), the model is not asked again.
    const asked = chat.requests.length;
    const again = await app.request(`/api/conversations/${id}/title`, { method: "POST" });
    assert.equal((await again.json()).title, "Merging CRDTs");
    assert.equal(chat.requests.length, asked);
  });
});
