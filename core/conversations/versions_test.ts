import assert from "node:assert/strict";
import { MemoryMesh } from "../peers/testing/memory_mesh.ts";
import { settle } from "../../tests/support/sync_mesh.ts";
import type { Conversation } from "../model/conversation.ts";
import { close, collect, node } from "./testing/service_node.ts";

/** The shown branch's texts. */
function shown(conversation: Conversation): string[] {
  const byId = new Map(conversation.messages.map((m) => [m.id, m]));
  return conversation.path.map((id) => byId.get(id)!.content);
}

Deno.test("regenerate keeps both answers as versions of one, and switching persists and syncs", async () => {
  const mesh = new MemoryMesh();
  const a = node(mesh, "A");
  const b = node(mesh, "B");
  try {
    mesh.link("A", "B");
    await settle();
    const { id } = a.service.create();
    a.chat.setScript({ pieces: ["First."] });
    await collect(a.service.ask(id, { content: "q1" }));
    a.chat.setScript({ pieces: ["Second."] });
    await collect(a.service.regenerate(id));
    let c = a.service.get(id)!;
    assert.deepEqual(shown(c), ["q1", "Second."], "the new answer replaces the first in view");
    assert.equal(c.messages.length, 3, "the first answer is kept");
    const [first, second] = c.messages.slice(1).map((m) => m.id);
    assert.deepEqual(c.versions, { [second]: [first, second] });

    c = a.service.selectVersion(id, first);
    assert.deepEqual(shown(c), ["q1", "First."]);
    const row = a.service.list().local.find((s) => s.id === id)!;
    assert.deepEqual([row.preview, row.messageCount], ["First.", 2], "the list shows the branch");
    await settle();
    assert.deepEqual(shown(b.service.get(id)!), ["q1", "First."], "the switch reached B");

    // The next question follows the answer shown, and the LLM sees only that branch.
    a.chat.setScript({ pieces: ["Third."] });
    await collect(a.service.ask(id, { content: "q2" }));
    assert.deepEqual(a.chat.requests.at(-1)!.messages.map((t) => t.content), [
      "q1",
      "First.",
      "q2",
    ]);
    assert.deepEqual(shown(a.service.get(id)!), ["q1", "First.", "q2", "Third."]);
    // Switching to the other answer shows its branch, which has no q2.
    assert.deepEqual(shown(a.service.selectVersion(id, second)), ["q1", "Second."]);
    await settle();
    assert.deepEqual(shown(b.service.get(id)!), ["q1", "Second."]);
  } finally {
    await close(a, b);
  }
});

Deno.test("edit and resend makes a new version of the question, answered with the branch before it", async () => {
  const a = node(new MemoryMesh(), "A");
  try {
    const { id } = a.service.create();
    a.chat.setScript({ pieces: ["A1."] });
    await collect(a.service.ask(id, { content: "q1" }));
    a.chat.setScript({ pieces: ["A2."] });
    await collect(a.service.ask(id, { content: "q2 with a typo" }));
    const q2 = a.service.get(id)!.messages[2];
    a.chat.setScript({ pieces: ["A2 fixed."] });
    const events = await collect(a.service.edit(id, q2.id, { content: "q2 fixed" }));
    assert.deepEqual(events.map((e) => e.type).slice(0, 2), ["question", "response"]);
    assert.deepEqual(a.chat.requests.at(-1)!.messages.map((t) => t.content), [
      "q1",
      "A1.",
      "q2 fixed",
    ]);
    const c = a.service.get(id)!;
    assert.deepEqual(shown(c), ["q1", "A1.", "q2 fixed", "A2 fixed."]);
    const edited = c.path[2];
    assert.deepEqual(c.versions[edited], [q2.id, edited]);
    assert.deepEqual(shown(a.service.selectVersion(id, q2.id)), [
      "q1",
      "A1.",
      "q2 with a typo",
      "A2.",
    ]);
    // Editing an answer, or a question not shown, is refused with the reason.
    assert.throws(() => a.service.edit(id, c.path[1], { content: "x" }), /not a question/);
    assert.throws(() => a.service.edit(id, edited, { content: "x" }), /not on the shown branch/);
    assert.throws(() => a.service.edit(id, "nope", { content: "x" }), /no message/);
  } finally {
    await close(a);
  }
});

Deno.test("chat settings go with every question: system prompt first, temperature and context length as options", async () => {
  const a = node(new MemoryMesh(), "A");
  try {
    const { id } = a.service.create();
    const updated = a.service.updateSettings(id, {
      systemPrompt: "Answer like a pirate.",
      temperature: 0.3,
      contextLength: 8192,
    });
    assert.equal(updated.thread.settings.systemPrompt, "Answer like a pirate.");
    await collect(a.service.ask(id, { content: "hello", model: "llama3.2" }));
    const request = a.chat.requests.at(-1)!;
    assert.deepEqual(request.messages[0], { role: "system", content: "Answer like a pirate." });
    assert.deepEqual(request.options, { temperature: 0.3, num_ctx: 8192 });
    // The model asked for is remembered for the chat, Auto too.
    assert.equal(a.service.get(id)!.thread.settings.model, "llama3.2");
    await collect(a.service.ask(id, { content: "again" }));
    assert.equal(a.chat.requests.at(-1)!.model, "llama3.2");
    await collect(a.service.regenerate(id, { model: "auto" }));
    assert.equal(a.chat.requests.at(-1)!.model, undefined);
    assert.equal(a.service.get(id)!.thread.settings.model, "auto");
    await collect(a.service.ask(id, { content: "and again" }));
    assert.equal(a.chat.requests.at(-1)!.model, undefined, "Auto stays chosen");
    // null removes a setting.
    const cleared = a.service.updateSettings(id, { systemPrompt: null });
    assert.deepEqual(cleared.thread.settings, {
      temperature: 0.3,
      contextLength: 8192,
      model: "auto",
    });
  } finally {
    await close(a);
  }
});

Deno.test("Continue here copies every version and the settings, marked as copied from the owner", async () => {
  const mesh = new MemoryMesh();
  const a = node(mesh, "A", "alpha");
  const b = node(mesh, "B", "beta");
  try {
    mesh.link("A", "B");
    await settle();
    const { id } = a.service.create();
    a.service.updateSettings(id, { systemPrompt: "Be brief." });
    await collect(a.service.ask(id, { content: "q1" }));
    a.chat.setScript({ pieces: ["Other."] });
    await collect(a.service.regenerate(id));
    const original = a.service.get(id)!;
    a.service.selectVersion(id, original.messages[1].id);
    await settle();
    const copy = b.service.fork(id);
    assert.equal(copy.readOnly, false);
    assert.deepEqual(copy.thread.forkedFrom, {
      conversationId: id,
      nodeId: "A",
      nodeName: "alpha",
    });
    assert.equal(copy.messages.length, 3);
    assert.deepEqual(shown(copy), ["q1", "Hello, world."], "the version shown is kept");
    assert.equal(Object.values(copy.versions)[0].length, 2);
    assert.equal(copy.thread.settings.systemPrompt, "Be brief.");
    const summary = b.service.list().local.find((s) => s.id === copy.id)!;
    assert.equal(summary.forkedFrom?.nodeName, "alpha");
  } finally {
    await close(a, b);
  }
});
