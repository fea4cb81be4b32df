/**
 * A trusted but malicious peer E, linked with its own valid key, against honest nodes A and B:
 * forged edits, tombstones, takeovers, replays and vector lies change nothing, are never relayed,
 * and are reported once per peer; the owner's own edits and deletion still propagate.
 */
import assert from "node:assert/strict";
import type { ChatMessage, ConversationHeader } from "../model/conversation.ts";
import { type PeerRef } from "../peers/bus.ts";
import { FakeClock } from "../time/clock.ts";
import { MemoryMesh } from "../peers/testing/memory_mesh.ts";
import { closeAll, type MeshNode, meshNode, settle } from "../../tests/support/sync_mesh.ts";
import { encodeHlc } from "../time/hlc.ts";
import type { SyncRecord } from "./records.ts";
import { testSigner } from "./testing/test_keys.ts";

interface Lab {
  mesh: MemoryMesh;
  a: MeshNode;
  b: MeshNode;
  /** The malicious node's bus: sends whatever frames it likes. */
  evil: ReturnType<MemoryMesh["node"]>;
  alerts: { node: string; peer: string; problem: string }[];
  close(): void;
}

/** A and B honest (sharing a conversation of A's), E linked to B only. */
async function lab(): Promise<Lab & { header: ConversationHeader; message: ChatMessage }> {
  const mesh = new MemoryMesh();
  const alerts: Lab["alerts"] = [];
  const timers = new FakeClock();
  const onForgery = (node: string) => (from: PeerRef, problem: string) =>
    alerts.push({ node, peer: from.id, problem });
  const a = meshNode(mesh, "A", { timers, onForgery: onForgery("A") });
  const b = meshNode(mesh, "B", { timers, onForgery: onForgery("B") });
  const evil = mesh.node("E");
  testSigner("E");
  mesh.link("A", "B");
  mesh.link("B", "E");
  await settle();
  const header = a.newConversation("A.plans");
  const message = a.say("A.plans", "m1", "the real question");
  await settle();
  assert.equal(b.store.messages("A.plans")[0]?.content, "the real question");
  return {
    mesh,
    a,
    b,
    evil,
    alerts,
    header,
    message,
    close: () => closeAll([a, b]),
  };
}

/** A record signed by `signer` (E by default), as E would send it. */
function signedBy(record: Omit<SyncRecord, "sig">, signer = "E"): SyncRecord {
  return { ...record, sig: testSigner(signer).sign(record) } as SyncRecord;
}

const keysOf = (...ids: string[]) =>
  Object.fromEntries(ids.map((id) => [id, testSigner(id).publicKey]));

function assertUntouched(l: Awaited<ReturnType<typeof lab>>) {
  for (const node of [l.a, l.b]) {
    assert.equal(node.store.header("A.plans")?.title, l.header.title, `${node.id}: title`);
    assert.equal(node.store.header("A.plans")?.originNode, "A", `${node.id}: owner`);
    assert.deepEqual(
      node.store.messages("A.plans").map((m) => m.content),
      ["the real question"],
      `${node.id}: messages`,
    );
  }
}

Deno.test("forged edits, tombstones and takeovers from a trusted peer change nothing and are reported once", async () => {
  const l = await lab();
  try {
    const later = encodeHlc({ wallMs: Date.now() + 1000, counter: 0, nodeId: "E" });
    const attacks: [string, SyncRecord, Record<string, string>][] = [
      // Claims A's origin, signed with E's key, offering E's key as A's.
      [
        "edit claiming A's origin",
        signedBy({
          type: "message",
          origin: "A",
          seq: 50,
          value: { ...l.message, content: "rewritten by E", hlc: later },
        }),
        { A: testSigner("E").publicKey },
      ],
      // Claims A's origin, A's real key, E's signature.
      [
        "tombstone claiming A's origin",
        signedBy({
          type: "tombstone",
          origin: "A",
          seq: 51,
          value: { conversationId: "A.plans", hlc: later, deletedBy: "A" },
        }),
        keysOf("A"),
      ],
      // E's own origin and signature, naming itself as deleter.
      [
        "tombstone by E",
        signedBy({
          type: "tombstone",
          origin: "E",
          seq: 1,
          value: { conversationId: "A.plans", hlc: later, deletedBy: "E" },
        }),
        keysOf("E"),
      ],
      // E's own origin, taking the conversation over.
      [
        "takeover header",
        signedBy({
          type: "conversation",
          origin: "E",
          seq: 2,
          value: { ...l.header, title: "mine now", originNode: "E", hlc: later },
        }),
        keysOf("E"),
      ],
      // E rewriting the question in place, under its own name.
      [
        "edit by E",
        signedBy({
          type: "message",
          origin: "E",
          seq: 3,
          value: { ...l.message, content: "rewritten", originNode: "E", hlc: later },
        }),
        keysOf("E"),
      ],
    ];
    for (const [, record, keys] of attacks) {
      l.evil.send("B", "CONV:", { records: [record], keys });
      await settle();
    }
    // A replay of A's real record with altered content keeps A's signature: it no longer fits.
    const [real] = [...l.a.store.recordsAbove({}, true)].filter((r) => r.type === "message");
    l.evil.send("B", "CONV:", {
      records: [{ ...real, value: { ...real.value, content: "altered replay" } }],
      keys: keysOf("A"),
    });
    // And in an anti-entropy answer.
    l.evil.send("B", "CSYN:", {
      records: attacks.map(([, r]) => r),
      done: false,
      keys: keysOf("E"),
    });
    await settle();
    assertUntouched(l);
    assert.deepEqual(
      l.alerts.map((x) => [x.node, x.peer]),
      [["B", "E"]],
      "reported once, naming E",
    );
    assert.match(l.alerts[0].problem, /did not sign|does not hash|another key/);
    // Nothing was relayed to A: A never heard of E.
    assert.equal(l.a.store.originKey("E"), undefined);
    // Keys offered with nothing valid cost nothing: B stored no key of E's.
    assert.equal(l.b.store.originKey("E"), undefined);
  } finally {
    l.close();
  }
});

Deno.test("the owner's real edits and deletion still propagate through the node E attacked", async () => {
  const l = await lab();
  try {
    l.evil.send("B", "CONV:", {
      records: [signedBy({
        type: "tombstone",
        origin: "E",
        seq: 1,
        value: {
          conversationId: "A.plans",
          hlc: encodeHlc({ wallMs: Date.now() + 1000, counter: 0, nodeId: "E" }),
          deletedBy: "E",
        },
      })],
      keys: keysOf("E"),
    });
    await settle();
    l.a.write([{
      type: "conversation",
      value: { ...l.header, title: "renamed by A", hlc: l.a.hlc.now() },
    }]);
    l.a.say("A.plans", "m2", "a second question");
    await settle();
    assert.equal(l.b.store.header("A.plans")?.title, "renamed by A");
    assert.equal(l.b.store.messages("A.plans").length, 2);
    l.a.write([{
      type: "tombstone",
      value: { conversationId: "A.plans", hlc: l.a.hlc.now(), deletedBy: "A" },
    }]);
    await settle();
    assert.equal(l.b.store.header("A.plans"), undefined);
    assert.equal(l.b.store.tombstone("A.plans")?.deletedBy, "A");
  } finally {
    l.close();
  }
});

Deno.test("a huge version vector cannot move a node's own sequence or silence its sharing", async () => {
  const l = await lab();
  try {
    const before = l.b.store.versionVector();
    const huge = 2 ** 52;
    l.evil.send("B", "VVEC:", { vv: { B: huge, A: huge }, ask: true });
    // And a pull answer claiming B and A are far ahead.
    l.evil.send("B", "CSYN:", { records: [], done: true, vv: { A: huge, B: huge } });
    await settle();
    assert.equal(
      l.b.store.versionVector().A,
      before.A,
      "A's watermark never passes what B received",
    );
    assert.ok((l.b.store.versionVector().B ?? 0) < 1000, "B's own sequence did not move");
    // B still shares: its next conversation reaches A and verifies there.
    l.b.newConversation("B.notes");
    l.b.say("B.notes", "b1", "still heard");
    await settle();
    assert.equal(l.a.store.messages("B.notes")[0]?.content, "still heard");
    assert.deepEqual(l.alerts, []);
  } finally {
    l.close();
  }
});

Deno.test("a record relayed through a node reaches a third node that never linked with its origin", async () => {
  const mesh = new MemoryMesh();
  const nodes = ["A", "B", "C"].map((id) => meshNode(mesh, id));
  const [a, , c] = nodes;
  try {
    mesh.link("A", "B");
    mesh.link("B", "C");
    await settle();
    a.newConversation("A.far");
    a.say("A.far", "m1", "over two hops");
    await settle();
    assert.equal(c.store.messages("A.far")[0]?.content, "over two hops");
    assert.equal(c.store.originKey("A"), testSigner("A").publicKey);
  } finally {
    closeAll(nodes);
  }
});
