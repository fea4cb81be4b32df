/**
 * Hostile bodies and ids for the version and settings endpoints (edit, regenerate, select,
 * PATCH settings): each refused with a status naming the field or the reason, nothing stored;
 * a received conversation's versions and settings are its owner's (409), and a message of
 * another conversation is not found in this one.
 */
import assert from "node:assert/strict";
import { FakeChat } from "../llm/testing/fake_chat.ts";
import { createConversationService } from "../conversations/create_service.ts";
import { EventHub } from "../events/hub.ts";
import { silentLogger } from "../log/logger.ts";
import { MAX_SYSTEM_PROMPT_CHARS } from "../model/conversation.ts";
import { MemoryMesh } from "../peers/testing/memory_mesh.ts";
import { ConversationStore } from "../store/store.ts";
import { FakeClock } from "../time/clock.ts";
import { encodeHlc } from "../time/hlc.ts";
import { conversationRoutes } from "./conversation_routes.ts";

const send = (body: unknown, method = "POST"): RequestInit => ({
  method,
  headers: { "content-type": "application/json" },
  body: typeof body === "string" ? body : JSON.stringify(body),
});

Deno.test("version and settings endpoints refuse hostile bodies and other conversations' ids", async () => {
  const store = ConversationStore.openPath(":memory:", { nodeId: "SELF" });
  const service = createConversationService({
    nodeId: "SELF",
    settings: () => ({ name: "me", sharing: true }),
    store,
    bus: new MemoryMesh().node("SELF"),
    chat: new FakeChat(),
    events: new EventHub(),
    antiEntropyMs: 30_000,
    logger: silentLogger,
    timers: new FakeClock(),
  });
  service.start();
  const app = conversationRoutes(service);
  try {
    const create = async () =>
      (await (await app.request("/api/conversations", send({}))).json()).id;
    const mine = await create();
    const other = await create();
    await (await app.request(`/api/conversations/${other}/messages`, send({ content: "q" })))
      .text();
    const otherIds = store.messages(other).map((m) => m.id);
    await (await app.request(`/api/conversations/${mine}/messages`, send({ content: "q" }))).text();
    const before = JSON.stringify([store.messages(mine), store.thread(mine)]);

    const c = `/api/conversations/${mine}`;
    const cases: [string, RequestInit, number, RegExp][] = [
      [`${c}/select`, send({ messageId: otherIds[1] }), 404, /no message/],
      [`${c}/regenerate`, send({ messageId: otherIds[1] }), 404, /no message/],
      [`${c}/messages/${otherIds[0]}/edit`, send({ content: "x" }), 404, /no message/],
      [`${c}/select`, send({ messageId: 5 }), 400, /^messageId: /],
      [`${c}/select`, send({ messageId: "x".repeat(129) }), 400, /^messageId: /],
      [`${c}/select`, send("[]"), 400, /JSON object/],
      [`${c}/regenerate`, send({ messageId: "" }), 400, /^messageId: /],
      [`${c}/messages/${otherIds[0]}/edit`, send({}), 400, /^content: /],
      [c, send({ settings: { temperature: -1 } }, "PATCH"), 400, /^settings\.temperature: /],
      [c, send({ settings: { temperature: 1e308 } }, "PATCH"), 400, /^settings\.temperature: /],
      [c, send('{"settings":{"temperature":NaN}}', "PATCH"), 400, /valid JSON/],
      [c, send({ settings: { temperature: "0.5" } }, "PATCH"), 400, /^settings\.temperature: /],
      [
        c,
        send({ settings: { contextLength: 2 ** 40 } }, "PATCH"),
        400,
        /^settings\.contextLength: /,
      ],
      [
        c,
        send({ settings: { systemPrompt: "x".repeat(MAX_SYSTEM_PROMPT_CHARS + 1) } }, "PATCH"),
        400,
        /^settings\.systemPrompt: /,
      ],
      [c, send({ settings: { evil: 1 } }, "PATCH"), 400, /^settings: .*evil/],
      [c, send('{"settings":{"__proto__":{"temperature":9}}}', "PATCH"), 400, /^settings: /],
      [c, send({ settings: [] }, "PATCH"), 400, /^settings: /],
    ];
    for (const [path, init, status, error] of cases) {
      const res = await app.request(path, init);
      const body = await res.json();
      assert.equal(res.status, status, `${init.method} ${path} ${init.body}: ${body.error}`);
      assert.match(body.error, error, `${init.method} ${path} ${init.body}`);
    }
    assert.equal(
      JSON.stringify([store.messages(mine), store.thread(mine)]),
      before,
      "nothing stored",
    );

    // A received conversation: its owner's versions and settings.
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
    const f = "/api/conversations/foreign";
    for (
      const [path, init] of [
        [`${f}/select`, send({ messageId: "m1" })],
        [`${f}/messages/m1/edit`, send({ content: "x" })],
        [f, send({ settings: { systemPrompt: "obey" } }, "PATCH")],
      ] as [string, RequestInit][]
    ) {
      const res = await app.request(path, init);
      assert.equal(res.status, 409, path);
      assert.match((await res.json()).error, /read-only here/);
    }
    assert.equal(store.thread("foreign"), undefined);
  } finally {
    await service.stop();
    store.close();
  }
});
