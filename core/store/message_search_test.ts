import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import type { ChatMessage, ConversationHeader } from "../model/conversation.ts";
import type { RecordValue, SyncRecord } from "../sync/records.ts";
import { encodeHlc } from "../time/hlc.ts";
import { MIGRATIONS } from "./migrations.ts";
import { RANKED_WINDOW } from "./message_search.ts";
import { ConversationStore } from "./store.ts";

const hlc = (wallMs: number, nodeId = "A") => encodeHlc({ wallMs, counter: 0, nodeId });

function header(id: string, node = "A", title = `Chat ${id}`): ConversationHeader {
  return {
    id,
    title,
    originNode: node,
    hostInfo: { nodeId: node, nodeName: node.toLowerCase(), isLlmHost: false },
    createdAt: "2025-03-25T13:56:00Z",
    shared: true,
    hlc: hlc(1, node),
  };
}

function message(
  id: string,
  conversationId: string,
  content: string,
  wall: number,
  over: Partial<ChatMessage> = {},
): ChatMessage {
  const node = over.originNode ?? "A";
  return {
    id,
    conversationId,
    content,
    timestamp: new Date(wall).toISOString(),
    sender: node.toLowerCase(),
    messageType: "Response",
    hostInfo: { nodeId: node, nodeName: node.toLowerCase(), isLlmHost: true },
    originNode: node,
    hlc: hlc(wall, node),
    createdHlc: hlc(wall, node),
    complete: true,
    ...over,
  };
}

const conv = (h: ConversationHeader): RecordValue => ({ type: "conversation", value: h });
const msg = (m: ChatMessage): RecordValue => ({ type: "message", value: m });
const ids = (store: ConversationStore, text: string) =>
  store.searchMessages(text, 20).hits.map((hit) => hit.message.id);

function withStore(fn: (store: ConversationStore) => void) {
  const store = ConversationStore.openPath(":memory:", { nodeId: "A" });
  try {
    fn(store);
  } finally {
    store.close();
  }
}

Deno.test("searchMessages() finds a word anywhere inside a message, with a marked snippet", () => {
  withStore((store) => {
    store.commitLocal([
      conv(header("c1")),
      msg(message("q1", "c1", "Tell me about the sea", 10, { messageType: "Question" })),
      msg(message("r1", "c1", "Tides rise twice a day because the moon pulls the oceans.", 20)),
    ]);
    const page = store.searchMessages("moon", 10);
    assert.equal(page.more, false);
    assert.equal(page.hits.length, 1);
    const [hit] = page.hits;
    assert.equal(hit.message.id, "r1");
    assert.equal(hit.header.id, "c1");
    const { text, matches } = hit.snippet;
    assert.deepEqual(matches.map(([s, e]) => text.slice(s, e)), ["moon"]);
  });
});

Deno.test("searchMessages() matches word prefixes, every word, and letters without accents", () => {
  withStore((store) => {
    store.commitLocal([
      conv(header("c1")),
      msg(message("r1", "c1", "Le café est prêt", 10)),
      msg(message("r2", "c1", "A cafeteria menu", 20)),
    ]);
    assert.deepEqual(ids(store, "cafe").sort(), ["r1", "r2"]);
    assert.deepEqual(ids(store, "cafe pret"), ["r1"]);
    assert.deepEqual(ids(store, "cafe nothing"), []);
    assert.deepEqual(ids(store, '"; DROP TABLE messages; --'), []);
    assert.deepEqual(ids(store, " -- "), []);
  });
});

Deno.test("searchMessages() follows an answer as it grows: old text out, new text in", () => {
  withStore((store) => {
    store.commitLocal([conv(header("c1")), msg(message("r1", "c1", "", 10, { complete: false }))]);
    assert.deepEqual(ids(store, "photosynthesis"), []);
    store.commitLocal([msg(message("r1", "c1", "Photosynthesis turns light", 10, {
      hlc: hlc(11),
      complete: false,
    }))]);
    assert.deepEqual(ids(store, "photosynthesis"), ["r1"]);
    store.commitLocal([
      msg(message("r1", "c1", "Chlorophyll absorbs light", 10, { hlc: hlc(12) })),
    ]);
    assert.deepEqual(ids(store, "photosynthesis"), []);
    assert.deepEqual(ids(store, "chlorophyll"), ["r1"]);
    assert.equal(store.counts().messages, 1);
  });
});

Deno.test("searchMessages() finds received messages and forgets a deleted conversation's", () => {
  withStore((store) => {
    const records: SyncRecord[] = [
      { type: "conversation", origin: "B", seq: 1, value: header("cb", "B") },
      {
        type: "message",
        origin: "B",
        seq: 2,
        value: message("rb", "cb", "Volcanoes on Iceland", 10, { originNode: "B" }),
      },
    ];
    store.applyRemote(records);
    assert.deepEqual(ids(store, "iceland"), ["rb"]);
    store.applyRemote([{
      type: "tombstone",
      origin: "B",
      seq: 3,
      value: { conversationId: "cb", hlc: hlc(30, "B"), deletedBy: "B" },
    }]);
    assert.deepEqual(ids(store, "iceland"), []);
  });
});

Deno.test("searchMessages() ranks the better match first and says when more match", () => {
  withStore((store) => {
    store.commitLocal([
      conv(header("c1")),
      msg(message("r1", "c1", "rust once, then a long text about many other things entirely", 10)),
      msg(message("r2", "c1", "rust rust rust", 20)),
      msg(message("r3", "c1", "rust and more", 30)),
    ]);
    const page = store.searchMessages("rust", 2);
    assert.equal(page.hits.length, 2);
    assert.equal(page.more, true);
    assert.equal(page.hits[0].message.id, "r2");
  });
});

Deno.test("migration 4 indexes the messages a database held before it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "neuromesh-search-" });
  try {
    const path = `${dir}/old.db`;
    const db = new DatabaseSync(path);
    for (const migration of MIGRATIONS.filter((m) => m.version < 4)) db.exec(migration.sql);
    db.exec(
      `PRAGMA user_version = ${
        Math.max(
          ...MIGRATIONS.filter((m) => m.version < 4).map((m) => m.version),
        )
      }`,
    );
    const old = message("r0", "c0", "Kept from an older version of the node", 10);
    db.prepare(
      "INSERT INTO conversations (id, origin_node, shared, hlc, rec_origin, rec_seq, data) VALUES (?, 'A', 1, ?, 'A', 1, ?)",
    ).run("c0", hlc(1), JSON.stringify(header("c0")));
    db.prepare(
      "INSERT INTO messages (id, conversation_id, created_hlc, hlc, complete, rec_origin, rec_seq, data) VALUES (?, ?, ?, ?, 1, 'A', 2, ?)",
    ).run(old.id, old.conversationId, old.createdHlc, old.hlc, JSON.stringify(old));
    db.close();
    const store = ConversationStore.openPath(path, { nodeId: "A" });
    try {
      assert.deepEqual(ids(store, "older version"), ["r0"]);
    } finally {
      store.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("searchMessages() ranks within the newest RANKED_WINDOW matches of a common word", () => {
  withStore((store) => {
    const values: RecordValue[] = [conv(header("c1"))];
    // The oldest message matches best (the word three times), but lies outside the window.
    values.push(msg(message("old", "c1", "common common common rare", 1)));
    for (let i = 0; i < RANKED_WINDOW; i++) {
      values.push(
        msg(message(`m${i}`, "c1", `common word number ${i} among many others here`, 10 + i)),
      );
    }
    store.commitLocal(values);
    const page = store.searchMessages("common", 5);
    assert.equal(page.hits.length, 5);
    assert.equal(page.more, true);
    assert.ok(page.hits.every((hit) => hit.message.id !== "old"), "older than the window");
    // A rarer word has fewer matches than the window: the old message is found.
    assert.deepEqual(ids(store, "rare"), ["old"]);
    assert.deepEqual(ids(store, "common rare"), ["old"]);
  });
});
