import assert from "node:assert/strict";
import { signal } from "@preact/signals";
import type { NodeApi } from "../api/client.ts";
import type { Conversation, StreamEvent } from "../api/types.ts";
import { createConversationsModel } from "./conversations.ts";
import { fakeApi } from "../api/testing/fake_api.ts";
import { conversation, message, nodeStatus } from "../api/testing/fixtures.ts";

function setup(methods: Partial<NodeApi>, defaultModel: string | null = null) {
  const api = fakeApi(methods);
  const conversations = createConversationsModel({
    api,
    node: signal(nodeStatus()),
    peers: signal([]),
    search: signal(""),
    model: signal(defaultModel),
    navigate: () => {},
  });
  return { api, conversations };
}

const q1 = message({ id: "q1", messageType: "Question", content: "Hi?", complete: true });
const a1 = message({ id: "a1", content: "First.", complete: true });
const a2 = message({ id: "a2", content: "Second.", complete: true });
const shownIds = (c: ReturnType<typeof setup>["conversations"]) => c.shown.value.map((m) => m.id);

Deno.test("a regenerated answer takes the old one's place at once, with a 2/2 switcher", async () => {
  const open = conversation({ messages: [q1, a1] });
  const after: Conversation = {
    ...open,
    messages: [q1, a1, a2],
    thread: { parents: { a2: "q1" }, selected: { q1: "a2" }, settings: {}, hlc: "2" },
  };
  let seen: string[] = [];
  const { conversations } = setup({
    conversation: () =>
      Promise.resolve(conversations.currentId.value === "c1" && seen.length ? after : open),
    regenerate: (_id, _model, _signal, onEvent) => {
      onEvent(
        { type: "response", message: { ...a2, content: "", complete: false } } as StreamEvent,
      );
      seen = shownIds(conversations);
      onEvent({ type: "done", message: a2 } as StreamEvent);
      return Promise.resolve();
    },
  });
  await conversations.openConversation("c1");
  assert.deepEqual(shownIds(conversations), ["q1", "a1"]);
  await conversations.regenerate();
  assert.deepEqual(
    seen,
    ["q1", "a2"],
    "while streaming, the new answer stands in the old one's place",
  );
  assert.deepEqual(shownIds(conversations), ["q1", "a2"]);
  assert.deepEqual(conversations.versions.value, { a2: ["a1", "a2"] });
});

Deno.test("selectVersion() switches at once and keeps the node's answer", async () => {
  const open = conversation({
    messages: [q1, a1, a2],
    thread: { parents: { a2: "q1" }, selected: {}, settings: {}, hlc: "1" },
  });
  const { api, conversations } = setup({
    conversation: () => Promise.resolve(open),
    selectVersion: (_id, messageId) =>
      Promise.resolve({
        ...open,
        thread: { ...open.thread, selected: { q1: messageId }, hlc: "2" },
      }),
  });
  await conversations.openConversation("c1");
  assert.deepEqual(shownIds(conversations), ["q1", "a2"]);
  await conversations.selectVersion("a1");
  assert.deepEqual(shownIds(conversations), ["q1", "a1"]);
  assert.deepEqual(api.calls.at(-1), { method: "selectVersion", args: ["c1", "a1"] });
});

Deno.test("a chat's own model wins over the default, Auto included; a pick is saved with the chat", async () => {
  const open = conversation({ messages: [q1, a1] });
  const { api, conversations } = setup({
    conversation: () => Promise.resolve(open),
    updateConversation: () => Promise.resolve(open),
  }, "llama3.2");
  await conversations.openConversation("c1");
  assert.equal(conversations.askModel.value, "llama3.2", "no own model: the default");
  await conversations.pickModel(null);
  assert.equal(conversations.askModel.value, null, "Auto picked for this chat");
  assert.deepEqual(api.calls.at(-1), {
    method: "updateConversation",
    args: ["c1", { settings: { model: "auto" } }],
  });
  await conversations.pickModel("qwen3");
  assert.equal(conversations.askModel.value, "qwen3");
});

Deno.test("with model titles on, a new chat's first answer is followed by a title from the model", async () => {
  const created = conversation({ id: "c9", title: "New conversation" });
  let asked = 0;
  const api = fakeApi({
    createConversation: () => Promise.resolve(created),
    ask: (_id, _content, _model, _signal, onEvent) => {
      asked++;
      onEvent({ type: "question", message: q1 } as StreamEvent);
      return Promise.resolve();
    },
    conversation: () => Promise.resolve(created),
    titleByModel: () => Promise.resolve({ ...created, title: "Merging CRDTs" }),
  });
  const conversations = createConversationsModel({
    api,
    node: signal(nodeStatus()),
    peers: signal([]),
    search: signal(""),
    model: signal(null),
    navigate: () => {},
    modelTitles: () => true,
  });
  await conversations.send("How do CRDTs merge?");
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.equal(asked, 1);
  assert.ok(api.calls.some((call) => call.method === "titleByModel"));
  assert.equal(conversations.entries.value.get("c9")?.title, "Merging CRDTs");
});
