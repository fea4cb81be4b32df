import assert from "node:assert/strict";
import { signal } from "@preact/signals";
import { ApiError, type NodeApi, UnreachableError } from "../api/client.ts";
import type { PeerStatus, StreamEvent } from "../api/types.ts";
import type { Route } from "../lib/route.ts";
import { createConversationsModel } from "./conversations.ts";
import { fakeApi } from "../api/testing/fake_api.ts";
import {
  conversation,
  message,
  nodeStatus,
  peerStatus,
  SELF_ID,
  summary,
} from "../api/testing/fixtures.ts";

function setup(methods: Partial<NodeApi>) {
  const api = fakeApi(methods);
  const search = signal("");
  const model = signal<string | null>(null);
  const peers = signal<PeerStatus[]>([]);
  const routes: { route: Route; replace?: boolean }[] = [];
  const conversations = createConversationsModel({
    api,
    node: signal(nodeStatus()),
    peers,
    search,
    model,
    navigate: (route, options) => routes.push({ route, replace: options?.replace }),
  });
  return { api, conversations, search, model, peers, routes };
}

/** An answer stream the test plays: `api.ask`/`api.regenerate` wait until it ends. */
function playedStream() {
  const end = Promise.withResolvers<void>();
  let onEvent: ((event: StreamEvent) => void) | null = null;
  let aborted = false;
  return {
    start(signal: AbortSignal, handler: (event: StreamEvent) => void): Promise<void> {
      onEvent = handler;
      signal.addEventListener("abort", () => {
        aborted = true;
        end.reject(new DOMException("aborted", "AbortError"));
      });
      return end.promise;
    },
    emit(event: StreamEvent) {
      assert.ok(onEvent, "the stream has not started");
      onEvent(event);
    },
    finish: () => end.resolve(),
    fail: (error: Error) => end.reject(error),
    get aborted() {
      return aborted;
    },
  };
}

const question = message({ id: "q1", messageType: "Question", content: "Hi?", complete: true });
const growing = message({ id: "r1", content: "" });

Deno.test("loadConversations() files own and received ones; the sidebar groups and filters them", async () => {
  const { conversations, search, peers } = setup({
    conversations: () =>
      Promise.resolve({
        local: [summary({ id: "a", title: "Garden plans" })],
        received: [{
          peer: { id: "p1", name: "Laptop" },
          conversations: [summary({ id: "b", title: "Recipes", readOnly: true })],
        }],
      }),
  });
  assert.equal(conversations.listLoaded.value, false);
  await conversations.loadConversations();
  assert.equal(conversations.listLoaded.value, true);
  const groups = conversations.sidebarGroups.value;
  assert.deepEqual(groups.local.map((entry) => entry.id), ["a"]);
  assert.deepEqual(groups.received.map((group) => [group.name, group.state]), [
    ["Laptop", "unknown"],
  ]);
  peers.value = [peerStatus({ id: "p1", name: "Laptop", state: "up" })];
  assert.equal(conversations.sidebarGroups.value.received[0].state, "up");
  search.value = "garden";
  assert.deepEqual(conversations.sidebarGroups.value.local.map((entry) => entry.id), ["a"]);
  assert.equal(conversations.sidebarGroups.value.received.length, 0);
});

Deno.test("openConversation() loads the messages; a slower earlier load does not overwrite", async () => {
  const slow = Promise.withResolvers<ReturnType<typeof conversation>>();
  const { conversations } = setup({
    conversation: (id) =>
      id === "slow" ? slow.promise : Promise.resolve(conversation({ id, messages: [question] })),
  });
  const first = conversations.openConversation("slow");
  assert.equal(conversations.loadingConversation.value, true);
  await conversations.openConversation("fast");
  slow.resolve(conversation({ id: "slow", title: "Stale" }));
  await first;
  assert.equal(conversations.currentId.value, "fast");
  assert.equal(conversations.current.value?.id, "fast");
  assert.deepEqual(conversations.messages.value, [question]);
  assert.equal(conversations.loadingConversation.value, false);
});

Deno.test("openConversation() says when the conversation no longer exists", async () => {
  const { conversations } = setup({
    conversation: () => Promise.reject(new ApiError(404, "not found")),
  });
  await conversations.openConversation("gone");
  assert.deepEqual(conversations.currentNotice.value, {
    conversationId: "gone",
    kind: "failed",
    text: "This conversation no longer exists.",
  });
  await conversations.openConversation(null);
  assert.equal(conversations.notice.value, null);
});

Deno.test("send() on a new chat creates the conversation, opens it and streams the answer", async () => {
  const stream = playedStream();
  const created = conversation({ id: "new", title: "New chat" });
  const done = message({ id: "r1", content: "Hello there", complete: true });
  const { api, conversations, model, routes } = setup({
    createConversation: () => Promise.resolve(created),
    ask: (_id, _content, _model, signal, onEvent) => stream.start(signal, onEvent),
    conversation: () => Promise.resolve(conversation({ id: "new", messages: [question, done] })),
  });
  model.value = "llama";
  const sending = conversations.send("  Hi?  ");
  await new Promise((resolve) => setTimeout(resolve, 0)); // the conversation is created
  assert.equal(conversations.currentId.value, "new");
  assert.deepEqual(routes, [{
    route: { view: "chat", conversationId: "new" },
    replace: undefined,
  }]);
  assert.equal(conversations.entries.value.get("new")?.receivedFrom, null);
  assert.equal(conversations.isStreamingHere.value, true);
  assert.deepEqual([...conversations.writingIds.value], ["new"]);

  stream.emit({ type: "question", message: question });
  stream.emit({ type: "response", message: growing });
  const host = { nodeId: "gpu", nodeName: "GPU box", model: "llama:7b" };
  stream.emit({ type: "serving", messageId: "r1", servedBy: host });
  assert.equal(conversations.messages.value[1].hostInfo.nodeName, "GPU box", "named before text");
  assert.equal(conversations.messages.value[1].model, "llama:7b");
  const stats = { tokens: 1, durationMs: 0, tokensPerSec: 0 };
  stream.emit({ type: "delta", messageId: "r1", content: "Hello", stats });
  assert.equal(conversations.messages.value[1].content, "Hello");
  assert.deepEqual(conversations.messages.value[1].stats, stats, "tokens counted as they come");
  assert.equal(conversations.lastAnswerId.value, "r1");
  stream.emit({ type: "done", message: done });
  stream.finish();
  assert.equal(await sending, true);
  assert.equal(conversations.isStreamingHere.value, false);
  assert.deepEqual(conversations.messages.value, [question, done]);
  const ask = api.calls.find((call) => call.method === "ask");
  assert.deepEqual(ask?.args.slice(0, 3), ["new", "Hi?", "llama"]);
});

Deno.test("send() gives the question back (false) when the node was never reached", async () => {
  const { conversations } = setup({
    createConversation: () => Promise.reject(new UnreachableError("/api/conversations", "down")),
  });
  assert.equal(await conversations.send("Hi?"), false);
  assert.equal(conversations.notice.value?.kind, "unreachable");
  assert.equal(conversations.notice.value?.conversationId, null);
  conversations.clearUnreachableNotice();
  assert.equal(conversations.notice.value, null);
  assert.equal(await conversations.send("   "), false);
});

Deno.test("stop() aborts the stream, tells the node, and marks the partial answer stopped", async () => {
  const stream = playedStream();
  const { api, conversations } = setup({
    conversation: (id) => Promise.resolve(conversation({ id })),
    ask: (_id, _content, _model, signal, onEvent) => stream.start(signal, onEvent),
    stopAnswer: () => Promise.resolve(),
  });
  await conversations.openConversation("c1");
  const sending = conversations.send("Tell me everything");
  stream.emit({ type: "response", message: growing });
  stream.emit({ type: "delta", messageId: "r1", content: "Part" });
  conversations.stop();
  assert.equal(await sending, true);
  assert.equal(stream.aborted, true);
  assert.ok(api.calls.some((call) => call.method === "stopAnswer" && call.args[0] === "c1"));
  assert.deepEqual(
    conversations.messages.value.map((m) => [m.content, m.complete, m.stopped]),
    [["Part", true, true]],
  );
});

Deno.test("an error event puts its notice on the failed answer", async () => {
  const stream = playedStream();
  const failed = message({ id: "r1", complete: true, error: "model crashed" });
  const { conversations } = setup({
    conversation: (id) => Promise.resolve(conversation({ id, messages: [failed] })),
    ask: (_id, _content, _model, signal, onEvent) => stream.start(signal, onEvent),
  });
  await conversations.openConversation("c1");
  const sending = conversations.send("Hi?");
  stream.emit({ type: "response", message: growing });
  stream.emit({ type: "error", messageId: "r1", error: "model crashed", kind: "upstream" });
  stream.finish();
  await sending;
  assert.equal(conversations.noticeMessageId.value, "r1");
  assert.match(conversations.currentNotice.value?.text ?? "", /model crashed/);
  const shown = conversations.messages.value.find((m) => m.id === "r1");
  assert.equal(shown?.complete, true);
  assert.equal(shown?.error, "model crashed");
});

Deno.test("two chats write their answers at once, each marked, each notice kept with its chat", async () => {
  const streams = new Map([["a", playedStream()], ["b", playedStream()]]);
  const { conversations } = setup({
    conversation: (id) => Promise.resolve(conversation({ id })),
    ask: (id, _content, _model, signal, onEvent) => streams.get(id)!.start(signal, onEvent),
  });
  await conversations.openConversation("a");
  const sendingA = conversations.send("Hi?");
  await conversations.openConversation("b");
  assert.equal(conversations.isStreamingHere.value, false);
  const sendingB = conversations.send("Also?");
  assert.equal(conversations.isStreamingHere.value, true);
  assert.deepEqual([...conversations.writingIds.value].sort(), ["a", "b"]);
  assert.equal(await conversations.send("A third, while b writes?"), false);
  streams.get("a")!.emit({ type: "error", error: "no host", kind: "no_host" });
  assert.equal(conversations.notice.value?.conversationId, "a");
  assert.equal(conversations.currentNotice.value, null);
  streams.get("a")!.finish();
  await sendingA;
  assert.deepEqual([...conversations.writingIds.value], ["b"]);
  streams.get("b")!.finish();
  await sendingB;
  assert.equal(conversations.writingIds.value.size, 0);
  assert.equal(conversations.notice.value?.conversationId, "a", "b's answer left a's notice");
});

Deno.test("a chat opened again mid-answer shows every word, not the node's older saved copy", async () => {
  const stream = playedStream();
  // The node saves a growing answer now and then: what it gives back lags behind the stream.
  let saved = [question, { ...growing, content: "" }];
  const { conversations } = setup({
    conversation: (id) => Promise.resolve(conversation({ id, messages: id === "a" ? saved : [] })),
    ask: (_id, _content, _model, signal, onEvent) => stream.start(signal, onEvent),
  });
  await conversations.openConversation("a");
  const sending = conversations.send("Hi?");
  stream.emit({ type: "question", message: question });
  stream.emit({ type: "response", message: growing });
  stream.emit({ type: "delta", messageId: "r1", content: "one" });
  await conversations.openConversation("b"); // away while the answer goes on
  stream.emit({ type: "delta", messageId: "r1", content: " two" });
  saved = [question, { ...growing, content: "one" }];
  stream.emit({ type: "delta", messageId: "r1", content: " three" });
  const shownAnswer = () => conversations.messages.value[1]?.content;
  assert.equal(conversations.messages.value.length, 0, "b shows none of a's answer");
  await conversations.openConversation("a");
  assert.equal(shownAnswer(), "one two three");
  stream.emit({ type: "delta", messageId: "r1", content: " four" });
  assert.equal(shownAnswer(), "one two three four");
  stream.finish();
  await sending;
  // Once the stream is over, the node's copy is what a later opening shows.
  await conversations.openConversation("b");
  await conversations.openConversation("a");
  assert.equal(shownAnswer(), "one");
});

Deno.test("a received conversation is read-only; fork() copies it and opens the copy", async () => {
  const { conversations, routes } = setup({
    conversations: () =>
      Promise.resolve({
        local: [],
        received: [{ peer: { id: "p1", name: "Laptop" }, conversations: [summary({ id: "r" })] }],
      }),
    conversation: (id) => Promise.resolve(conversation({ id })),
    forkConversation: () => Promise.resolve(conversation({ id: "copy", title: "Copy" })),
  });
  await conversations.loadConversations();
  await conversations.openConversation("r");
  assert.equal(conversations.currentReadOnly.value, true);
  assert.equal(conversations.currentEntry.value?.receivedFrom?.name, "Laptop");
  await conversations.fork("r");
  assert.equal(conversations.entries.value.get("copy")?.receivedFrom, null);
  assert.deepEqual(routes.at(-1)?.route, { view: "chat", conversationId: "copy" });
});

Deno.test("rename(), setShared() and remove() update the list and the open conversation", async () => {
  const { conversations, routes } = setup({
    conversations: () => Promise.resolve({ local: [summary({ id: "c1" })], received: [] }),
    conversation: (id) => Promise.resolve(conversation({ id })),
    updateConversation: (id, patch) => Promise.resolve(conversation({ id, ...patch })),
    deleteConversation: () => Promise.resolve(),
  });
  await conversations.loadConversations();
  await conversations.openConversation("c1");
  await conversations.rename("c1", "  Trip  ");
  assert.equal(conversations.current.value?.title, "Trip");
  assert.equal(conversations.entries.value.get("c1")?.title, "Trip");
  await conversations.setShared("c1", false);
  assert.equal(conversations.current.value?.shared, false);
  assert.equal(conversations.entries.value.get("c1")?.shared, false);
  await conversations.remove("c1");
  assert.equal(conversations.entries.value.has("c1"), false);
  assert.deepEqual(routes.at(-1), { route: { view: "chat", conversationId: null }, replace: true });
});

Deno.test("a refused change shows the node's reason under that conversation", async () => {
  const { conversations } = setup({
    conversation: (id) => Promise.resolve(conversation({ id })),
    updateConversation: () => Promise.reject(new ApiError(409, "read-only here")),
  });
  await conversations.openConversation("c1");
  await conversations.rename("c1", "New");
  assert.deepEqual(conversations.currentNotice.value, {
    conversationId: "c1",
    kind: "failed",
    text: "read-only here",
  });
});

Deno.test("live events: summaries file by origin, messages reach only the open conversation", async () => {
  const stream = playedStream();
  const answered = message({ id: "r1", content: "Hello world", complete: true });
  let saved: typeof answered[] = [];
  const { conversations } = setup({
    conversation: (id) => Promise.resolve(conversation({ id, messages: saved })),
    ask: (_id, _content, _model, signal, onEvent) => stream.start(signal, onEvent),
  });
  conversations.applySummary(summary({ id: "mine", originNode: SELF_ID }));
  conversations.applySummary(summary({ id: "theirs", originNode: "p1", readOnly: true }));
  assert.equal(conversations.entries.value.get("mine")?.receivedFrom, null);
  assert.equal(conversations.entries.value.get("theirs")?.receivedFrom?.id, "p1");

  await conversations.openConversation("c1");
  conversations.applySummary(summary({ id: "c1", title: "Renamed elsewhere", shared: false }));
  assert.equal(conversations.current.value?.title, "Renamed elsewhere");
  conversations.applyMessage("other", question);
  assert.equal(conversations.messages.value.length, 0);

  const sending = conversations.send("Hi?");
  stream.emit({ type: "response", message: growing });
  stream.emit({ type: "delta", messageId: "r1", content: "Hello world" });
  // A partial copy of the answer this page is streaming does not replace the stream's.
  conversations.applyMessage("c1", message({ id: "r1", content: "Hel", complete: false }));
  assert.equal(conversations.messages.value[0].content, "Hello world");
  saved = [answered];
  stream.finish();
  await sending;
  conversations.applyMessage("c1", question);
  assert.deepEqual(conversations.messages.value.map((m) => m.id), ["r1", "q1"]);
});
