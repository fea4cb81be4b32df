import assert from "node:assert/strict";
import { createLogger } from "../log/logger.ts";
import { FakeClock } from "../time/clock.ts";
import { MemoryMesh } from "../peers/testing/memory_mesh.ts";
import { closeAll, type MeshNode, meshNode, settle } from "../../tests/support/sync_mesh.ts";
import { testSigner } from "./testing/test_keys.ts";

function messageIds(node: MeshNode, conversationId: string): string[] {
  return node.store.messages(conversationId).map((m) => m.id);
}

Deno.test("a message written on A reaches B and C at once", async () => {
  const mesh = new MemoryMesh();
  const nodes = ["A", "B", "C"].map((id) => meshNode(mesh, id));
  const [a, b, c] = nodes;
  try {
    mesh.linkAll();
    await settle();
    a.newConversation("c1");
    a.say("c1", "m1", "hello mesh");
    await settle();
    for (const node of [b, c]) {
      assert.equal(node.store.header("c1")?.originNode, "A");
      assert.deepEqual(node.store.messages("c1").map((m) => m.content), ["hello mesh"]);
    }
  } finally {
    closeAll(nodes);
  }
});

Deno.test("partitioned writes on both sides converge after healing, each message once", async () => {
  const mesh = new MemoryMesh();
  const nodes = ["A", "B", "C"].map((id) => meshNode(mesh, id));
  const [a, b, c] = nodes;
  try {
    mesh.linkAll();
    a.newConversation("shared-a");
    b.newConversation("shared-b");
    c.newConversation("shared-c");
    await settle();
    // Partition {A, B} | {C}.
    mesh.unlink("A", "C");
    mesh.unlink("B", "C");
    for (let i = 0; i < 30; i++) {
      a.say("shared-a", `a${i}`);
      b.say("shared-b", `b${i}`);
      c.say("shared-c", `c${i}`);
      c.say("shared-c", `cc${i}`);
    }
    await settle();
    assert.equal(
      messageIds(c, "shared-a").length,
      0,
      "C sees only its own side during the partition",
    );
    assert.equal(messageIds(a, "shared-c").length, 0);
    mesh.link("A", "C");
    mesh.link("B", "C");
    await settle();
    const expected = [...nodes].map((n) =>
      ["a", "b", "c"].map((x) => messageIds(n, `shared-${x}`))
    );
    for (const [sharedA, sharedB, sharedC] of expected) {
      assert.equal(sharedA.length, 30);
      assert.equal(sharedB.length, 30);
      assert.equal(sharedC.length, 60);
      assert.equal(new Set(sharedC).size, 60, "no message twice");
    }
    assert.deepEqual(expected[0], expected[1]);
    assert.deepEqual(expected[1], expected[2]);
    assert.deepEqual(a.store.versionVector(), c.store.versionVector());
  } finally {
    closeAll(nodes);
  }
});

Deno.test("A's conversations reach C through B when A and C cannot link", async () => {
  const mesh = new MemoryMesh();
  const nodes = ["A", "B", "C"].map((id) => meshNode(mesh, id));
  const [a, b, c] = nodes;
  try {
    // History written before any link: C can only get it by anti-entropy relayed through B.
    a.newConversation("c1");
    a.say("c1", "old");
    mesh.link("A", "B");
    await settle();
    mesh.link("B", "C");
    await settle();
    assert.deepEqual(messageIds(c, "c1"), ["old"]);
    // Real time: forwarded by B as it arrives.
    a.say("c1", "live");
    await settle();
    assert.deepEqual(messageIds(c, "c1"), ["old", "live"]);
    // C pulling from B after B caught up from A while C was already linked.
    mesh.unlink("A", "B");
    a.say("c1", "while-away");
    await settle();
    mesh.link("A", "B");
    await settle();
    assert.deepEqual(messageIds(c, "c1"), ["old", "live", "while-away"]);
    assert.deepEqual(messageIds(b, "c1"), messageIds(c, "c1"));
  } finally {
    closeAll(nodes);
  }
});

Deno.test("with sharing off nothing leaves the node, in pushes or in anti-entropy", async () => {
  const mesh = new MemoryMesh();
  const timers = new FakeClock();
  const nodes = ["A", "B"].map((id) => meshNode(mesh, id, { timers }));
  const [a, b] = nodes;
  try {
    a.sharing = false;
    mesh.linkAll();
    a.newConversation("private");
    a.say("private", "p1");
    b.newConversation("from-b");
    await settle();
    timers.advance(30_000); // a periodic anti-entropy round
    await settle();
    assert.equal(b.store.counts().conversations, 1, "B holds only its own conversation");
    assert.equal(a.store.header("from-b")?.originNode, "B", "A still receives what B shares");
    // Per conversation: shared:false never leaves even with global sharing on.
    a.sharing = true;
    a.newConversation("secret", false);
    a.say("secret", "s1");
    mesh.unlink("A", "B");
    mesh.link("A", "B");
    await settle();
    assert.equal(b.store.header("secret"), undefined);
    assert.deepEqual(b.store.messages("secret"), []);
    assert.deepEqual(messageIds(b, "private"), ["p1"], "turning sharing on lets B pull the rest");
  } finally {
    closeAll(nodes);
  }
});

Deno.test("a bad record is dropped and logged while good ones in the same frame apply", async () => {
  const mesh = new MemoryMesh();
  const lines: string[] = [];
  const logger = createLogger("warn", "test", (line) => lines.push(line));
  const b = meshNode(mesh, "B", { logger });
  const evil = mesh.node("E");
  try {
    mesh.link("B", "E");
    await settle();
    const a = meshNode(new MemoryMesh(), "A");
    a.newConversation("c1");
    const good = [...a.store.recordsAbove({}, true)];
    closeAll([a]);
    evil.broadcast("CONV:", {
      records: [{ type: "message", origin: "E", seq: 1, value: { id: 5 } }, ...good, "junk"],
      keys: { A: testSigner("A").publicKey },
    });
    await settle();
    assert.equal(b.store.header("c1")?.originNode, "A");
    assert.ok(
      lines.some((l) => l.includes("sync records dropped: invalid") && l.includes("dropped=2")),
      lines.join("\n"),
    );
  } finally {
    closeAll([b]);
  }
});

Deno.test("periodic anti-entropy repairs what a push missed", async () => {
  const mesh = new MemoryMesh();
  const timers = new FakeClock();
  const nodes = ["A", "B"].map((id) => meshNode(mesh, id, { timers, antiEntropyMs: 30_000 }));
  const [a, b] = nodes;
  try {
    mesh.linkAll();
    await settle();
    a.newConversation("c1");
    // Written to the store without a push (as if the frame was lost on the way).
    const stamp = a.hlc.now();
    a.store.commitLocal([{
      type: "message",
      value: {
        id: "lost",
        conversationId: "c1",
        content: "lost in transit",
        timestamp: new Date().toISOString(),
        sender: "A",
        messageType: "Question",
        hostInfo: { nodeId: "A", nodeName: "A", isLlmHost: false },
        originNode: "A",
        hlc: stamp,
        createdHlc: stamp,
        complete: true,
      },
    }]);
    await settle();
    assert.deepEqual(messageIds(b, "c1"), []);
    timers.advance(30_000);
    await settle();
    assert.deepEqual(messageIds(b, "c1"), ["lost"]);
  } finally {
    closeAll(nodes);
  }
});

Deno.test("a growing answer pushed in pieces ends complete on the peer", async () => {
  const mesh = new MemoryMesh();
  const nodes = ["A", "B"].map((id) => meshNode(mesh, id));
  const [a, b] = nodes;
  try {
    mesh.linkAll();
    a.newConversation("c1");
    const created = a.hlc.now();
    const base = {
      id: "r1",
      conversationId: "c1",
      timestamp: new Date().toISOString(),
      sender: "A",
      messageType: "Response" as const,
      hostInfo: { nodeId: "A", nodeName: "A", isLlmHost: true },
      originNode: "A",
      createdHlc: created,
    };
    a.write([{ type: "message", value: { ...base, content: "", hlc: created, complete: false } }]);
    a.write([{
      type: "message",
      value: { ...base, content: "Hel", hlc: a.hlc.now(), complete: false },
    }]);
    a.write([{
      type: "message",
      value: { ...base, content: "Hello.", hlc: a.hlc.now(), complete: true },
    }]);
    await settle();
    assert.deepEqual(b.store.messages("c1").map((m) => [m.content, m.complete]), [[
      "Hello.",
      true,
    ]]);
  } finally {
    closeAll(nodes);
  }
});

Deno.test("in a full mesh a pushed message is not relayed to peers the push already reached", async () => {
  const mesh = new MemoryMesh();
  const nodes = ["A", "B", "C", "D", "E"].map((id) => meshNode(mesh, id));
  const [a] = nodes;
  try {
    mesh.linkAll();
    await settle();
    a.newConversation("c1");
    await settle();
    let pushes = 0;
    for (const node of nodes.slice(1)) node.bus.on("CONV:", () => pushes++);
    a.say("c1", "m1", "once per node");
    await settle();
    for (const node of nodes.slice(1)) {
      assert.deepEqual(node.store.messages("c1").map((m) => m.content), ["once per node"]);
    }
    assert.equal(pushes, 4, "one push per other node, no relay storm");
  } finally {
    closeAll(nodes);
  }
});

Deno.test("a relay still forwards a push to a peer the author cannot reach", async () => {
  const mesh = new MemoryMesh();
  const nodes = ["A", "B", "C"].map((id) => meshNode(mesh, id));
  const [a, , c] = nodes;
  try {
    mesh.link("A", "B");
    mesh.link("B", "C");
    await settle();
    a.newConversation("c1");
    a.say("c1", "m1", "through B");
    await settle();
    assert.deepEqual(c.store.messages("c1").map((m) => m.content), ["through B"]);
  } finally {
    closeAll(nodes);
  }
});

Deno.test("a pull whose request was lost on a replaced connection is asked again at the next link-up", async () => {
  const mesh = new MemoryMesh();
  const timers = new FakeClock(); // never advanced: the pull timeout cannot rescue this
  const nodes = ["A", "B"].map((id) => meshNode(mesh, id, { timers }));
  const [a, b] = nodes;
  try {
    b.newConversation("from-b");
    b.say("from-b", "m1");
    // The first pull request from A goes out on a connection that is then replaced: it is lost.
    const send = a.bus.send.bind(a.bus);
    let dropped = 0;
    a.bus.send = ((peerId, marker, payload) => {
      if (marker === "VVEC:" && dropped === 0) {
        dropped++;
        return true;
      }
      return send(peerId, marker, payload);
    }) as typeof a.bus.send;
    mesh.link("A", "B");
    await settle();
    assert.equal(dropped, 1);
    assert.deepEqual(messageIds(a, "from-b"), [], "nothing yet: the request was lost");
    // The replacement connection comes up (a duplicate swap repeats link-up, no link-down).
    a.bus.hub.linkUp(b.bus.self);
    await settle();
    assert.deepEqual(messageIds(a, "from-b"), ["m1"]);
  } finally {
    closeAll(nodes);
  }
});

Deno.test("pushes lost on a link that died silently arrive through another peer once it is declared lost", async () => {
  const mesh = new MemoryMesh();
  const timers = new FakeClock(); // never advanced: no anti-entropy round comes to the rescue
  const nodes = ["A", "B", "C"].map((id) => meshNode(mesh, id, { timers }));
  const [a, b, c] = nodes;
  try {
    mesh.linkAll();
    a.newConversation("from-a");
    c.newConversation("from-c");
    await settle();
    // A–C stops carrying anything while both still count the other as linked.
    for (const [from, to] of [[a, c], [c, a]]) {
      const send = from.bus.send.bind(from.bus);
      from.bus.send = ((peerId, marker, payload) =>
        peerId === to.id || send(peerId, marker, payload)) as typeof from.bus.send;
    }
    a.say("from-a", "a1");
    c.say("from-c", "c1");
    await settle();
    assert.deepEqual(messageIds(b, "from-a"), ["a1"]);
    assert.deepEqual(messageIds(c, "from-a"), [], "B did not relay: the push said C had it");
    mesh.unlink("A", "C"); // heartbeats declare the link lost
    await settle();
    assert.deepEqual(messageIds(c, "from-a"), ["a1"]);
    assert.deepEqual(messageIds(a, "from-c"), ["c1"]);
  } finally {
    closeAll(nodes);
  }
});

Deno.test("a periodic round pulls from three peers in turn, not from all", async () => {
  const mesh = new MemoryMesh();
  const timers = new FakeClock();
  const ids = ["A", "B", "C", "D", "E", "F", "G"];
  const nodes = ids.map((id) => meshNode(mesh, id, { timers, antiEntropyMs: 30_000 }));
  const [a] = nodes;
  try {
    mesh.linkAll();
    await settle();
    const pulledBy = (node: MeshNode) => {
      const asked: string[] = [];
      const send = node.bus.send.bind(node.bus);
      node.bus.send = ((peerId, marker, payload) => {
        if (marker === "VVEC:") asked.push(peerId);
        return send(peerId, marker, payload);
      }) as typeof node.bus.send;
      return asked;
    };
    const asked = pulledBy(a);
    timers.advance(30_000);
    await settle();
    assert.deepEqual(asked, ["B", "C", "D"]);
    timers.advance(30_000);
    await settle();
    assert.deepEqual(asked.slice(3), ["E", "F", "G"]);
    timers.advance(30_000);
    await settle();
    assert.deepEqual(asked.slice(6), ["B", "C", "D"]);
  } finally {
    closeAll(nodes);
  }
});
