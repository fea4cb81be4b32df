import assert from "node:assert/strict";
import { settle } from "../../tests/support/sync_mesh.ts";
import { MemoryMesh } from "../peers/testing/memory_mesh.ts";
import { searchConversations } from "./search.ts";
import { close, collect, node } from "./testing/service_node.ts";

Deno.test("searchConversations() finds words of an answer received from a peer, shown as the peer's", async () => {
  const mesh = new MemoryMesh();
  const a = node(mesh, "A", "desk");
  const b = node(mesh, "B", "laptop");
  try {
    mesh.linkAll();
    a.chat.setScript({ pieces: ["The aurora ", "borealis glows ", "green."] });
    const { id } = a.service.create();
    await collect(a.service.ask(id, { content: "Why is the sky green?" }));
    await settle();

    const there = searchConversations(b.store, "borealis");
    assert.equal(there.hits.length, 1);
    const [hit] = there.hits;
    assert.equal(hit.conversationId, id);
    assert.equal(hit.messageType, "Response");
    assert.equal(hit.readOnly, true, "on B it is A's conversation");
    assert.equal(hit.originNode, "A");
    assert.equal(hit.originName, "desk");
    assert.deepEqual(hit.matches.map(([s, e]) => hit.snippet.slice(s, e)), ["borealis"]);
    assert.equal(searchConversations(a.store, "borealis").hits[0].readOnly, false);

    // A deletes it: gone from B's search as from its list.
    a.service.delete(id);
    await settle();
    assert.deepEqual(searchConversations(b.store, "borealis").hits, []);
  } finally {
    await close(a, b);
  }
});

Deno.test("searchConversations() returns at most the limit and says when more match", async () => {
  const a = node(new MemoryMesh(), "A");
  try {
    a.chat.setScript({ pieces: ["same words"] });
    for (let i = 0; i < 3; i++) {
      const { id } = a.service.create();
      await collect(a.service.ask(id, { content: `question ${i}` }));
    }
    const page = searchConversations(a.store, "same", 2);
    assert.equal(page.hits.length, 2);
    assert.equal(page.more, true);
    assert.equal(searchConversations(a.store, "same", 10_000).hits.length, 3);
  } finally {
    await close(a);
  }
});
