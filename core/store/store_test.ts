import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import type { ChatMessage, ConversationHeader } from "../model/conversation.ts";
import { FakeClock } from "../time/clock.ts";
import { buildReply } from "../sync/anti_entropy.ts";
import { encodeHlc } from "../time/hlc.ts";
import { MemoryReplica } from "../sync/testing/memory_replica.ts";
import type { RecordValue, SyncRecord } from "../sync/records.ts";
import { simulate } from "../sync/testing/simulation.ts";
import { Coalescer } from "./coalescer.ts";
import { SCHEMA_VERSION } from "./migrations.ts";
import { ConversationStore, DATABASE_FILE } from "./store.ts";

const hlc = (wallMs: number, nodeId = "A") => encodeHlc({ wallMs, counter: 0, nodeId });
const hostA = { nodeId: "A", nodeName: "alpha", isLlmHost: false };

function header(over: Partial<ConversationHeader> = {}): RecordValue {
  return {
    type: "conversation",
    value: {
      id: "c1",
      title: "First",
      originNode: "A",
      hostInfo: hostA,
      createdAt: "2025-03-25T13:56:00Z",
      shared: true,
      hlc: hlc(1),
      ...over,
    },
  };
}

function message(id: string, wall: number, over: Partial<ChatMessage> = {}): RecordValue {
  return {
    type: "message",
    value: {
      id,
      conversationId: "c1",
      content: `text of ${id}`,
      timestamp: new Date(wall).toISOString(),
      sender: "alpha",
      messageType: "Question",
      hostInfo: hostA,
      originNode: "A",
      hlc: hlc(wall),
      createdHlc: hlc(wall),
      complete: true,
      ...over,
    },
  };
}

async function withTempDir(fn: (dir: string) => Promise<void> | void) {
  const dir = await Deno.makeTempDir({ prefix: "neuromesh-store-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("ConversationStore.open() uses WAL and keeps data across a reopen", async () => {
  await withTempDir((dir) => {
    const store = ConversationStore.open(dir, { nodeId: "A" });
    store.commitLocal([header(), message("m1", 10), message("m2", 20)]);
    store.close();
    const db = new DatabaseSync(`${dir}/${DATABASE_FILE}`);
    assert.deepEqual({ ...db.prepare("PRAGMA journal_mode").get() }, { journal_mode: "wal" });
    assert.deepEqual({ ...db.prepare("PRAGMA user_version").get() }, {
      user_version: SCHEMA_VERSION,
    });
    db.close();
    const reopened = ConversationStore.open(dir, { nodeId: "A" });
    assert.deepEqual(reopened.messages("c1").map((m) => m.id), ["m1", "m2"]);
    assert.equal(reopened.header("c1")?.title, "First");
    assert.deepEqual(reopened.versionVector(), { A: 3 });
    // Own seqs continue after the reopen.
    assert.deepEqual(reopened.commitLocal([message("m3", 30)]).map((r) => r.seq), [4]);
    assert.equal(reopened.lastOwnHlc(), hlc(30));
    reopened.close();
  });
});

Deno.test("ConversationStore refuses a database from a newer schema, naming both versions", async () => {
  await withTempDir((dir) => {
    const db = new DatabaseSync(`${dir}/${DATABASE_FILE}`);
    db.exec(`PRAGMA user_version = ${SCHEMA_VERSION + 5}`);
    db.close();
    assert.throws(
      () => ConversationStore.open(dir, { nodeId: "A" }),
      new RegExp(
        `schema version ${
          SCHEMA_VERSION + 5
        }, newer than this build supports \\(${SCHEMA_VERSION}\\)`,
      ),
    );
  });
});

Deno.test("commitLocal() gives each change the next own seq and ignores an unchanged version", () => {
  const store = ConversationStore.openPath(":memory:", { nodeId: "A" });
  const first = store.commitLocal([header(), message("m1", 10)]);
  assert.deepEqual(first.map((r) => [r.origin, r.seq]), [["A", 1], ["A", 2]]);
  assert.deepEqual(store.commitLocal([message("m1", 10)]), []);
  assert.deepEqual(
    store.commitLocal([header({ title: "Renamed", hlc: hlc(50) })]).map((r) => r.seq),
    [3],
  );
  // Anti-entropy asks for "everything from A after 1": the message and the newer header.
  assert.deepEqual([...store.recordsAbove({ A: 1 }, true)].map((r) => [r.type, r.seq]), [[
    "message",
    2,
  ], [
    "conversation",
    3,
  ]]);
  store.close();
});

Deno.test("applyRemote() keeps per-origin stamps and advances watermarks only over contiguous seqs", () => {
  const store = ConversationStore.openPath(":memory:", { nodeId: "B" });
  const from = (record: RecordValue, origin: string, seq: number) =>
    ({ ...record, origin, seq }) as SyncRecord;
  store.applyRemote([from(header(), "A", 1), from(message("m3", 30), "A", 3)]);
  assert.deepEqual(store.versionVector(), { A: 1 });
  store.applyRemote([from(message("m2", 20), "A", 2)]);
  assert.deepEqual(store.versionVector(), { A: 3 }, "seq 3 was already held, so the gap closes");
  // A relayed record keeps the stamp of the node that made it.
  assert.deepEqual([...store.recordsAbove({}, true)].map((r) => `${r.origin}:${r.seq}`), [
    "A:1",
    "A:2",
    "A:3",
  ]);
  // A peer's claim moves a watermark only as far as records this store received itself...
  store.raiseWatermarks({ A: 7, C: 2 });
  assert.deepEqual(store.versionVector(), { A: 3 });
  // ...except the sender's own origin, which only the sender can vouch for.
  store.raiseWatermarks({ A: 7, C: 2 }, "A");
  assert.deepEqual(store.versionVector(), { A: 7 });
  store.raiseWatermarks({ C: 2 }, "C");
  assert.deepEqual(store.versionVector(), { A: 7, C: 2 });
  store.close();
});

Deno.test("a tombstone deletes the conversation, syncs, and keeps stale copies out", () => {
  const store = ConversationStore.openPath(":memory:", { nodeId: "A" });
  store.commitLocal([header(), message("m1", 10)]);
  const [tombstone] = store.commitLocal([{
    type: "tombstone",
    value: { conversationId: "c1", hlc: hlc(99), deletedBy: "A" },
  }]);
  assert.equal(store.header("c1"), undefined);
  assert.deepEqual(store.messages("c1"), []);
  assert.equal(store.isShareable(tombstone), true);
  assert.deepEqual([...store.recordsAbove({ A: 2 }, true)].map((r) => r.type), ["tombstone"]);
  const stale = [header({ title: "stale", hlc: hlc(500) }), message("m9", 600)]
    .map((r, i) => ({ ...r, origin: "C", seq: i + 1 }) as SyncRecord);
  assert.deepEqual(store.applyRemote(stale), []);
  assert.equal(store.header("c1"), undefined);
  assert.deepEqual(store.counts(), { conversations: 0, messages: 0, tombstones: 1 });
  store.close();
});

Deno.test("unshared conversations never leave; sharing again restamps them for peers", () => {
  const store = ConversationStore.openPath(":memory:", { nodeId: "A" });
  store.commitLocal([header({ shared: false }), message("m1", 10)]);
  assert.deepEqual([...store.recordsAbove({}, true)], []);
  assert.equal(store.isShareable(message("m1", 10)), false);
  assert.equal([...store.recordsAbove({}, false)].length, 2, "the local view still has them");
  const peer = new MemoryReplica("B");
  for (const batch of buildReply(store, peer.versionVector())) {
    peer.applyRemote(batch.records);
    if (batch.vv) peer.raiseWatermarks(batch.vv, "A");
  }
  assert.equal(peer.content.messages.size, 0);
  assert.deepEqual(
    peer.versionVector(),
    { A: 2 },
    "the peer's watermark passed the unshared records",
  );
  store.commitLocal([header({ shared: true, hlc: hlc(20) })]);
  const restamped = store.restampConversation("c1");
  assert.deepEqual(restamped.map((r) => r.seq), [4, 5]);
  for (const batch of buildReply(store, peer.versionVector())) peer.applyRemote(batch.records);
  assert.equal(peer.content.messages.size, 1);
  assert.equal(peer.content.headers.get("c1")?.shared, true);
  store.close();
});

Deno.test("deleting a never-shared conversation leaves no tombstone for peers", () => {
  const store = ConversationStore.openPath(":memory:", { nodeId: "A" });
  store.commitLocal([header({ shared: false })]);
  store.commitLocal([{
    type: "tombstone",
    value: { conversationId: "c1", hlc: hlc(9), deletedBy: "A" },
  }]);
  assert.deepEqual([...store.recordsAbove({}, true)], []);
  store.close();
});

Deno.test("a local-only hide never leaves and gives way to the origin's real deletion", () => {
  const store = ConversationStore.openPath(":memory:", { nodeId: "B" });
  store.applyRemote([{ ...header(), origin: "A", seq: 1 } as SyncRecord]);
  store.commitLocal([{
    type: "tombstone",
    value: { conversationId: "c1", hlc: hlc(50, "B"), deletedBy: "B" },
  }], {
    localOnly: true,
  });
  assert.equal(store.header("c1"), undefined);
  assert.deepEqual([...store.recordsAbove({}, true)].map((r) => r.type), []);
  const realDeletion = {
    type: "tombstone",
    origin: "A",
    seq: 2,
    value: { conversationId: "c1", hlc: hlc(40), deletedBy: "A" },
  };
  assert.equal(store.applyRemote([realDeletion as SyncRecord]).length, 1);
  assert.deepEqual([...store.recordsAbove({}, true)].map((r) => `${r.type}:${r.origin}`), [
    "tombstone:A",
  ]);
  store.close();
});

Deno.test("summaries() count messages and preview the newest non-empty one without loading all", () => {
  const store = ConversationStore.openPath(":memory:", { nodeId: "A" });
  store.commitLocal([header(), message("m1", 10), message("m2", 20, { content: "" })]);
  const [summary] = store.summaries();
  assert.equal(summary.messageCount, 2);
  assert.equal(summary.preview, "text of m1");
  assert.equal(summary.lastMessageHlc, hlc(20));
  assert.deepEqual(store.summary("c1"), summary);
  store.close();
});

Deno.test("Coalescer saves a growing answer at most every 250 ms and the final one at once", () => {
  const store = ConversationStore.openPath(":memory:", { nodeId: "A" });
  const clock = new FakeClock(0);
  store.commitLocal([
    header(),
    message("r1", 1, { messageType: "Response", content: "", complete: false }),
  ]);
  let writes = 0;
  const writer = new Coalescer<ChatMessage>(
    (value) => {
      writes++;
      store.commitLocal([{ type: "message", value }]);
    },
    250,
    clock,
  );
  let content = "";
  for (let i = 0; i < 100; i++) {
    clock.advance(10); // a token every 10 ms: 1 s of streaming
    content += "x";
    writer.offer({
      ...(message("r1", 1).value as ChatMessage),
      content,
      complete: false,
      hlc: hlc(100 + i),
    });
  }
  assert.ok(writes >= 3 && writes <= 5, `${writes} writes for 1 s of streaming`);
  const saved = store.message("r1")!;
  assert.ok(saved.content.length >= 75 && !saved.complete, `saved ${saved.content.length} chars`);
  writer.finish({ ...saved, content: content + "!", complete: true, hlc: hlc(1000) });
  assert.equal(clock.pendingTimers, 0);
  assert.deepEqual([store.message("r1")!.content.length, store.message("r1")!.complete], [
    101,
    true,
  ]);
  store.close();
});

Deno.test("the SQLite store merges exactly like the in-memory reference (40 random runs)", () => {
  const seed = Number(Deno.env.get("STORE_SEED") ?? Math.floor(Math.random() * 2 ** 31));
  console.log(`store differential seed=${seed}`);
  for (let run = 0; run < 40; run++) {
    const stores: ConversationStore[] = [];
    try {
      const viaSqlite = simulate(seed + run, (id) => {
        const store = ConversationStore.openPath(":memory:", { nodeId: id });
        stores.push(store);
        return store;
      });
      const viaMemory = simulate(seed + run, (id) => new MemoryReplica(id));
      assert.deepEqual(viaSqlite.finals, viaMemory.finals, `seed ${seed + run}`);
      assert.equal(new Set(viaSqlite.finals).size, 1, `seed ${seed + run}: replicas differ`);
      assert.equal(viaSqlite.lateWinners, 0);
    } finally {
      for (const store of stores) store.close();
    }
  }
});

Deno.test("a batch of 200,000 records applies: no spread of every seq into Math.max (stack overflow)", () => {
  // An imported history or a peer's batch this large threw "Maximum call stack size exceeded".
  const store = ConversationStore.openPath(":memory:", { nodeId: "B" });
  const count = 200_000;
  const records = [{ ...header(), origin: "A", seq: 1 } as SyncRecord];
  for (let i = 0; i < count; i++) {
    records.push({ ...message(`m${i}`, 10 + i), origin: "A", seq: i + 2 } as SyncRecord);
  }
  records.push({ ...message("mine", 5, { originNode: "B" }), origin: "B", seq: 1 } as SyncRecord);
  assert.equal(store.applyRemote(records).length, count + 2);
  assert.deepEqual(store.versionVector(), { A: count + 1, B: 1 });
  store.close();
});
