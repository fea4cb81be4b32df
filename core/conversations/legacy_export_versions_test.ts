import assert from "node:assert/strict";
import { MemoryMesh } from "../peers/testing/memory_mesh.ts";
import { ConversationStore } from "../store/store.ts";
import { testSigner } from "../sync/testing/test_keys.ts";
import type { Conversation } from "../model/conversation.ts";
import { exportConversations } from "./legacy_export.ts";
import { importConversations } from "./legacy_import.ts";
import { LegacyConversation, Manifest } from "./legacy_files.ts";
import { toConversation } from "./views.ts";
import { close, collect, node } from "./testing/service_node.ts";

function shownTexts(c: Conversation): string[] {
  const byId = new Map(c.messages.map((m) => [m.id, m.content]));
  return c.path.map((id) => byId.get(id)!);
}

function read(store: ConversationStore, id: string): Conversation {
  return toConversation(store.header(id)!, store.messages(id), store.nodeId, store.thread(id));
}

Deno.test("export writes the shown branch in the original's file and every other version in the manifest; import brings all back", async () => {
  const dir = await Deno.makeTempDir();
  const a = node(new MemoryMesh(), "A");
  try {
    const { id } = a.service.create();
    a.service.updateSettings(id, { systemPrompt: "Short answers." });
    await collect(a.service.ask(id, { content: "q1" }));
    a.chat.setScript({ pieces: ["Second try."] });
    await collect(a.service.regenerate(id));
    const before = a.service.get(id)!;
    assert.deepEqual(shownTexts(before), ["q1", "Second try."]);

    await exportConversations(a.store, dir, { id: "A", name: "a" });
    const file = LegacyConversation.parse(
      JSON.parse(await Deno.readTextFile(`${dir}/conversations/${id}.json`)),
    );
    assert.deepEqual(file.messages.map((m) => m.content), ["q1", "Second try."]);
    const manifest = Manifest.parse(JSON.parse(await Deno.readTextFile(`${dir}/neuromesh.json`)));
    assert.deepEqual(manifest.conversations[0].versions?.map((m) => m.content), ["Hello, world."]);
    assert.equal(manifest.conversations[0].thread?.settings.systemPrompt, "Short answers.");

    // The same node, its database lost: everything comes back as it was.
    const restored = ConversationStore.openPath(":memory:", {
      nodeId: "A",
      signer: testSigner("A"),
    });
    await importConversations(restored, dir);
    const back = read(restored, id);
    assert.deepEqual(back.messages, before.messages);
    assert.deepEqual(back.path, before.path);
    assert.deepEqual(back.thread.settings, before.thread.settings);
    restored.close();

    // Another node adopts a copy: new ids, the same versions and the same one shown.
    const other = ConversationStore.openPath(":memory:", { nodeId: "B", signer: testSigner("B") });
    await importConversations(other, dir);
    const [summary] = other.summaries();
    const copy = read(other, summary.header.id);
    assert.notEqual(copy.id, id);
    assert.deepEqual(shownTexts(copy), ["q1", "Second try."]);
    assert.equal(copy.messages.length, 3);
    assert.deepEqual(Object.values(copy.versions).map((ids) => ids.length), [2]);
    other.close();
  } finally {
    await close(a);
    await Deno.remove(dir, { recursive: true });
  }
});
