import assert from "node:assert/strict";
import { ChatError } from "../llm/chat.ts";
import { MemoryMesh } from "../peers/testing/memory_mesh.ts";
import { settle } from "../../tests/support/sync_mesh.ts";
import { FAKE_HOST } from "../llm/testing/fake_chat.ts";
import type { AskEvent } from "./ask_event.ts";
import { close, collect, type Node, node } from "./testing/service_node.ts";
import { ConversationError } from "./service.ts";

Deno.test("ask() stores the question, streams the answer and saves it complete with host and stats", async () => {
  const a = node(new MemoryMesh(), "A");
  try {
    const conversation = a.service.create();
    const events = await collect(
      a.service.ask(conversation.id, { content: "Say hello", model: "llama3.2" }),
    );
    assert.deepEqual(events.map((e) => e.type), [
      "question",
      "response",
      "serving",
      "delta",
      "delta",
      "delta",
      "done",
    ]);
    const done = events.at(-1) as Extract<AskEvent, { type: "done" }>;
    assert.equal(done.message.content, "Hello, world.");
    assert.equal(done.message.complete, true);
    assert.deepEqual(done.message.hostInfo, {
      nodeId: "GPU",
      nodeName: "gpu-box",
      model: "llama3.2",
      isLlmHost: true,
    });
    assert.deepEqual(done.message.stats, { tokens: 42, durationMs: 2000, tokensPerSec: 21 });
    const request = a.chat.requests[0];
    assert.equal(request.conversationId, conversation.id);
    assert.equal(request.model, "llama3.2");
    assert.deepEqual(request.messages, [{ role: "user", content: "Say hello" }]);
    const saved = a.service.get(conversation.id)!;
    assert.deepEqual(saved.messages.map((m) => [m.messageType, m.content, m.complete]), [
      ["Question", "Say hello", true],
      ["Response", "Hello, world.", true],
    ]);
    assert.equal(saved.title, "Say hello", "the first question names a new conversation");
    assert.ok(a.events.some((e) => e.type === "message"));
    assert.ok(a.events.some((e) => e.type === "conversation"));
  } finally {
    await close(a);
  }
});

Deno.test('ask() with model "auto" lets the router choose and sends the history', async () => {
  const a = node(new MemoryMesh(), "A");
  try {
    const { id } = a.service.create({ title: "Chat" });
    await collect(a.service.ask(id, { content: "one" }));
    await collect(a.service.ask(id, { content: "two", model: "auto" }));
    assert.equal(a.chat.requests[1].model, undefined);
    assert.deepEqual(a.chat.requests[1].messages.map((m) => m.role), ["user", "assistant", "user"]);
    assert.equal(a.service.get(id)!.title, "Chat", "an explicit title is kept");
  } finally {
    await close(a);
  }
});

Deno.test("a failover during the answer is streamed and recorded on the response", async () => {
  const a = node(new MemoryMesh(), "A");
  try {
    const old = { nodeId: "OLD", nodeName: "old-box", model: "llama3.2" };
    a.chat.setScript({ failedOverFrom: old, failoverReason: "stalled" });
    const { id } = a.service.create();
    const events = await collect(a.service.ask(id, { content: "hi" }));
    const failover = events.find((e) => e.type === "failover");
    assert.deepEqual(failover, {
      type: "failover",
      messageId: events[1].type === "response" ? events[1].message.id : "",
      from: { ...old, reason: "stalled" },
      to: FAKE_HOST,
    });
    assert.deepEqual(a.service.get(id)!.messages[1].failover, { ...old, reason: "stalled" });
  } finally {
    await close(a);
  }
});

Deno.test("a refused answer ends with an error event of its kind and is saved with the error", async () => {
  const a = node(new MemoryMesh(), "A");
  try {
    a.chat.setScript({ refuseWith: new ChatError("no node serves model x", "no_host") });
    const { id } = a.service.create();
    const events = await collect(a.service.ask(id, { content: "hi", model: "x" }));
    const last = events.at(-1)!;
    assert.equal(last.type, "error");
    assert.deepEqual([(last as { kind: string }).kind, (last as { error: string }).error], [
      "no_host",
      "no node serves model x",
    ]);
    const response = a.service.get(id)!.messages[1];
    assert.deepEqual([response.complete, response.error], [true, "no node serves model x"]);
  } finally {
    await close(a);
  }
});

Deno.test("stopAnswer() mid-stream saves what arrived, complete and marked stopped", async () => {
  const a = node(new MemoryMesh(), "A");
  try {
    a.chat.setScript({ pieces: ["Par", "tial", " never"], holdAfter: 2 });
    const { id } = a.service.create();
    const stream = a.service.ask(id, { content: "long answer please" });
    const reading = collect(stream);
    await a.chat.held;
    assert.throws(
      () => a.service.ask(id, { content: "again" }),
      (e: ConversationError) => e.kind === "busy",
    );
    assert.equal(a.service.stopAnswer(id), true);
    const events = await reading;
    assert.equal(events.at(-1)!.type, "done");
    const response = a.service.get(id)!.messages[1];
    assert.deepEqual([response.content, response.complete, response.stopped], [
      "Partial",
      true,
      true,
    ]);
    assert.equal(a.service.stopAnswer(id), false);
  } finally {
    await close(a);
  }
});

Deno.test("an aborted request signal stops the answer even when nobody reads the stream", async () => {
  const a = node(new MemoryMesh(), "A");
  try {
    a.chat.setScript({ pieces: ["a", "b", "c"], holdAfter: 1 });
    const { id } = a.service.create();
    const controller = new AbortController();
    a.service.ask(id, { content: "q" }, controller.signal);
    await a.chat.held;
    controller.abort();
    await a.service.stop();
    const response = a.service.get(id)!.messages[1];
    assert.deepEqual([response.content, response.complete, response.stopped], ["a", true, true]);
  } finally {
    await close(a);
  }
});

Deno.test("start() marks an answer a crash cut short as stopped, keeping its text, and syncs it", async () => {
  const a = node(new MemoryMesh(), "A");
  const mesh = new MemoryMesh();
  const b = node(mesh, "B");
  let restarted: Node | undefined;
  try {
    a.chat.setScript({ pieces: ["Half", " an answer"], holdAfter: 1 });
    const { id } = a.service.create();
    a.service.ask(id, { content: "long answer please" });
    await a.chat.held;
    const cut = a.service.get(id)!.messages[1];
    assert.equal(cut.complete, false, "the answer is being written when the node dies");

    // A restart over the same database, the first process never having finished the answer.
    restarted = node(mesh, "A", "a", a.store);
    const response = restarted.service.get(id)!.messages[1];
    assert.deepEqual([response.id, response.content, response.complete, response.stopped], [
      cut.id,
      cut.content,
      true,
      true,
    ]);
    assert.ok(response.hlc > cut.hlc, "a newer version, so it wins on every peer");
    mesh.linkAll();
    await settle();
    assert.equal(b.store.message(cut.id)?.stopped, true, "peers get the stopped version");
  } finally {
    if (restarted) await restarted.service.stop();
    a.chat.release();
    await close(a, b);
  }
});

Deno.test("start() leaves answers of other nodes as they are", async () => {
  const mesh = new MemoryMesh();
  const a = node(mesh, "A");
  a.chat.setScript({ pieces: ["x", "y"], holdAfter: 1 });
  const b = node(mesh, "B");
  let restarted: Node | undefined;
  try {
    mesh.linkAll();
    const { id } = a.service.create();
    a.service.ask(id, { content: "q" });
    await a.chat.held;
    await settle();
    const streaming = b.service.get(id)!.messages[1];
    assert.equal(streaming.complete, false);
    await b.service.stop();
    restarted = node(new MemoryMesh(), "B", "b", b.store);
    assert.equal(restarted.service.get(id)!.messages[1].complete, false, "A is still writing it");
  } finally {
    if (restarted) await restarted.service.stop();
    a.chat.release();
    await close(a, b);
  }
});

Deno.test("regenerate() answers the last question again without the earlier answer", async () => {
  const a = node(new MemoryMesh(), "A");
  try {
    const { id } = a.service.create();
    await collect(a.service.ask(id, { content: "q1" }));
    a.chat.setScript({ pieces: ["Another."] });
    const events = await collect(a.service.regenerate(id));
    assert.deepEqual(events.map((e) => e.type), ["response", "serving", "delta", "done"]);
    assert.deepEqual(a.chat.requests[1].messages, [{ role: "user", content: "q1" }]);
    assert.deepEqual(a.service.get(id)!.messages.map((m) => m.content), [
      "q1",
      "Hello, world.",
      "Another.",
    ]);
    const empty = a.service.create();
    assert.throws(() => a.service.regenerate(empty.id), /no question yet/);
  } finally {
    await close(a);
  }
});

Deno.test("bad input is refused with a clear reason and nothing stored", async () => {
  const a = node(new MemoryMesh(), "A");
  try {
    const { id } = a.service.create();
    assert.throws(() => a.service.ask(id, { content: "   " }), /non-empty/);
    assert.throws(
      () => a.service.ask("nope", { content: "x" }),
      (e: ConversationError) => e.kind === "not_found",
    );
    assert.throws(() => a.service.update(id, { title: "" }), /title must be a non-empty string/);
    assert.throws(
      () => a.service.update(id, { title: "x".repeat(201) }),
      /title is too long: 201 > 200/,
    );
    assert.equal(a.service.get(id)!.messages.length, 0);
  } finally {
    await close(a);
  }
});

Deno.test("conversations sync between services: received ones are read-only, grouped by origin, forkable", async () => {
  const mesh = new MemoryMesh();
  const a = node(mesh, "A", "alpha");
  const b = node(mesh, "B", "beta");
  try {
    mesh.linkAll();
    const { id } = a.service.create({ title: "From alpha" });
    await collect(a.service.ask(id, { content: "hello?" }));
    await settle();
    const list = b.service.list();
    assert.deepEqual(list.local, []);
    assert.equal(list.received.length, 1);
    assert.deepEqual(list.received[0].peer, { id: "A", name: "alpha" });
    const [summary] = list.received[0].conversations;
    assert.deepEqual([summary.title, summary.messageCount, summary.readOnly, summary.preview], [
      "From alpha",
      2,
      true,
      "Hello, world.",
    ]);
    assert.ok(b.events.some((e) => e.type === "message"), "B's page hears the new messages live");
    assert.throws(() => b.service.ask(id, { content: "me too" }), /read-only here; fork it/);
    assert.throws(
      () => b.service.update(id, { title: "mine" }),
      (e: ConversationError) => e.kind === "read_only",
    );

    const fork = b.service.fork(id);
    assert.equal(fork.readOnly, false);
    assert.deepEqual(fork.messages.map((m) => m.content), ["hello?", "Hello, world."]);
    await collect(b.service.ask(fork.id, { content: "continuing" }));
    assert.deepEqual(b.chat.requests[0].messages.map((m) => m.content), [
      "hello?",
      "Hello, world.",
      "continuing",
    ]);
    await settle();
    assert.equal(a.service.list().received[0].peer.name, "beta", "the fork is B's and reaches A");
  } finally {
    await close(a, b);
  }
});

Deno.test("deleting: own conversations everywhere, received ones only here", async () => {
  const mesh = new MemoryMesh();
  const a = node(mesh, "A");
  const b = node(mesh, "B");
  try {
    mesh.linkAll();
    const kept = a.service.create({ title: "kept" });
    const gone = a.service.create({ title: "gone" });
    await settle();
    b.service.delete(kept.id);
    a.service.delete(gone.id);
    await settle();
    assert.equal(b.service.get(kept.id), undefined, "hidden on B");
    assert.ok(a.service.get(kept.id), "A keeps its conversation");
    assert.equal(b.service.get(gone.id), undefined, "A's deletion reached B");
    assert.ok(b.events.some((e) => e.type === "conversation-deleted"));
    assert.throws(() => a.service.delete("nope"), (e: ConversationError) => e.kind === "not_found");
  } finally {
    await close(a, b);
  }
});

Deno.test("a private conversation stays home until shared, then reaches peers whole", async () => {
  const mesh = new MemoryMesh();
  const a = node(mesh, "A");
  const b = node(mesh, "B");
  try {
    mesh.linkAll();
    const { id } = a.service.create({ title: "private" });
    a.service.setShared(id, false);
    await collect(a.service.ask(id, { content: "secret" }));
    await settle();
    assert.equal(b.service.get(id)?.messages.length ?? 0, 0);
    b.sharing = false; // B's own setting does not stop it from receiving
    a.service.setShared(id, true);
    await settle();
    assert.deepEqual(b.service.get(id)!.messages.map((m) => m.content), [
      "secret",
      "Hello, world.",
    ]);
  } finally {
    await close(a, b);
  }
});

Deno.test("a conversation pushed by an original NeuroMesh peer is kept as this node's, shown as received from it", async () => {
  const mesh = new MemoryMesh();
  const a = node(mesh, "A");
  const b = node(mesh, "B");
  const legacy = mesh.node("OLD", "old-rust-node");
  const bob = { hostname: "bob-pc", ip_address: "192.168.1.9", is_llm_host: false };
  const question = (content: string, timestamp: string) => ({
    content,
    timestamp,
    sender: "bob",
    message_type: "Question",
    host_info: bob,
  });
  try {
    mesh.linkAll();
    const first = question("hi from rust", "2025-03-25T13:56:00.304707400Z");
    legacy.broadcast("CONV:", { id: "local", messages: [first], host_info: bob });
    await settle();
    // The original pushes its whole file again as it grows: one conversation, new messages only.
    const second = question("and again", "2025-03-25T13:57:00.000000001Z");
    legacy.broadcast("CONV:", { id: "local", messages: [first, second], host_info: bob });
    await settle();
    const [group] = a.service.list().received;
    assert.equal(group.peer.name, "bob-pc");
    assert.equal(group.conversations.length, 1);
    assert.equal(group.conversations[0].preview, "and again");
    const conversation = a.service.get(group.conversations[0].id)!;
    assert.equal(conversation.readOnly, true);
    assert.deepEqual(conversation.messages.map((m) => [m.originNode, m.timestamp]), [
      ["A", first.timestamp],
      ["A", second.timestamp],
    ]);
    // B heard the pushes too and keeps its own copy; neither is passed on, so every node shows
    // the original's conversation once.
    const [atB] = b.service.list().received;
    assert.deepEqual(atB.conversations.map((c) => [c.preview, c.readOnly]), [["and again", true]]);
    assert.notEqual(atB.conversations[0].id, conversation.id);
  } finally {
    await close(a, b);
  }
});
