import assert from "node:assert/strict";
import { encodeHlc } from "../time/hlc.ts";
import type { RecordValue, SyncRecord } from "../sync/records.ts";
import { RecordVerifier } from "../sync/record_signature.ts";
import { testKeyBinding, testSigner } from "../sync/testing/test_keys.ts";
import { ConversationStore } from "./store.ts";

const hlc = (wallMs: number, nodeId = "A") => encodeHlc({ wallMs, counter: 0, nodeId });

function header(id: string, owner = "A"): RecordValue {
  return {
    type: "conversation",
    value: {
      id,
      title: `title of ${id}`,
      originNode: owner,
      hostInfo: { nodeId: owner, nodeName: owner, isLlmHost: false },
      createdAt: "2025-03-25T13:56:00Z",
      shared: true,
      hlc: hlc(1, owner),
    },
  };
}

function verifier(): RecordVerifier {
  const v = new RecordVerifier({ binding: testKeyBinding });
  for (const id of ["A", "B"]) v.learn(id, testSigner(id).publicKey);
  return v;
}

Deno.test("a store with a signer signs what it stamps and keeps the signature and key", () => {
  const store = ConversationStore.openPath(":memory:", { nodeId: "A", signer: testSigner("A") });
  const [stamped] = store.commitLocal([header("c1")]);
  assert.deepEqual(verifier().verify(stamped), { ok: true });
  const [served] = [...store.recordsAbove({}, true)];
  assert.equal(served.sig, stamped.sig);
  assert.equal(store.originKey("A"), testSigner("A").publicKey);
  store.close();
});

Deno.test("a database from before signing: own records are signed at open, foreign unsigned ones stay but are never served", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const old = ConversationStore.open(dir, { nodeId: "A" });
    old.commitLocal([header("own")]);
    old.applyRemote([{ ...header("theirs", "B"), origin: "B", seq: 1 } as SyncRecord]);
    assert.equal([...old.recordsAbove({}, true)].every((r) => r.sig === undefined), true);
    old.close();
    const store = ConversationStore.open(dir, { nodeId: "A", signer: testSigner("A") });
    const served = [...store.recordsAbove({}, true)];
    assert.deepEqual(
      served.map((r) => `${r.origin}:${r.seq}`),
      ["A:1"],
      "B's unsigned record stays home",
    );
    assert.deepEqual(verifier().verify(served[0]), { ok: true });
    assert.equal(store.header("theirs")?.title, "title of theirs", "still shown here");
    store.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("own signed records coming back from a peer move the own sequence past them", () => {
  const first = ConversationStore.openPath(":memory:", { nodeId: "A", signer: testSigner("A") });
  const mine = first.commitLocal([header("c1"), header("c2"), header("c3")]);
  first.close();
  // Same identity, database lost: a peer sends A's signed records back.
  const restored = ConversationStore.openPath(":memory:", { nodeId: "A", signer: testSigner("A") });
  restored.applyRemote(mine);
  const [next] = restored.commitLocal([header("c4")]);
  assert.equal(next.seq, 4);
  restored.close();
});
