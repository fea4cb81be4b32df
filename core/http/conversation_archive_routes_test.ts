import assert from "node:assert/strict";
import type { Hono } from "hono";
import { ConversationArchive } from "../conversations/archive.ts";
import { ConversationEvents } from "../conversations/conversation_events.ts";
import { LegacyConversation } from "../conversations/legacy_files.ts";
import { searchConversations } from "../conversations/search.ts";
import { unzipFiles } from "../conversations/zip.ts";
import { EventHub } from "../events/hub.ts";
import type { LiveEvent } from "../events/hub.ts";
import type { ChatMessage } from "../model/conversation.ts";
import { ConversationStore } from "../store/store.ts";
import { encodeHlc } from "../time/hlc.ts";
import { conversationArchiveRoutes } from "./conversation_archive_routes.ts";

const ORIGINAL = new URL("../conversations/testdata/original/", import.meta.url).pathname;

interface Harness {
  app: Hono;
  store: ConversationStore;
  events: LiveEvent[];
  syncs: number[];
}

function withApp(fn: (h: Harness) => Promise<void>, nodeId = "SELF") {
  return async () => {
    const store = ConversationStore.openPath(":memory:", { nodeId });
    const hub = new EventHub();
    const events: LiveEvent[] = [];
    hub.subscribe((event) => events.push(event));
    const syncs: number[] = [];
    const archive = new ConversationArchive({
      store,
      node: () => ({ id: nodeId, name: "me" }),
      published: new ConversationEvents(hub, store, nodeId),
      syncNow: () => syncs.push(Date.now()),
    });
    const app = conversationArchiveRoutes({
      search: (q, limit) => searchConversations(store, q, limit),
      archive,
    });
    try {
      await fn({ app, store, events, syncs });
    } finally {
      store.close();
    }
  };
}

const hlc = (wallMs: number) => encodeHlc({ wallMs, counter: 0, nodeId: "SELF" });
const host = { nodeId: "SELF", nodeName: "me", isLlmHost: true };

function seed(store: ConversationStore) {
  const message = (id: string, type: "Question" | "Response", content: string, wall: number) => ({
    type: "message" as const,
    value: {
      id,
      conversationId: "SELF-c1",
      content,
      timestamp: new Date(wall).toISOString(),
      sender: type === "Question" ? "me" : "llama3.2",
      messageType: type,
      hostInfo: host,
      model: type === "Response" ? "llama3.2" : undefined,
      originNode: "SELF",
      hlc: hlc(wall),
      createdHlc: hlc(wall),
      complete: true,
    } satisfies ChatMessage,
  });
  store.commitLocal([
    {
      type: "conversation",
      value: {
        id: "SELF-c1",
        title: "Sea questions",
        originNode: "SELF",
        hostInfo: host,
        createdAt: "2026-01-05T10:00:00Z",
        shared: true,
        hlc: hlc(1),
      },
    },
    message("q1", "Question", "Why are there tides?", 1_000),
    message("r1", "Response", "Mostly the **Moon**: its gravity pulls the oceans.", 2_000),
  ]);
}

async function upload(app: Hono, files: unknown[]) {
  return await app.request("/api/conversations/import", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ files }),
  });
}

async function originalFiles(prefix: string) {
  const files: { path: string; text: string }[] = [];
  for (const folder of ["conversations", ...await receivedFolders()]) {
    for await (const entry of Deno.readDir(`${ORIGINAL}${folder}`)) {
      const text = await Deno.readTextFile(`${ORIGINAL}${folder}/${entry.name}`);
      files.push({ path: `${prefix}${folder}/${entry.name}`, text });
    }
  }
  return files;
}

async function receivedFolders() {
  const folders: string[] = [];
  for await (const entry of Deno.readDir(`${ORIGINAL}received`)) {
    folders.push(`received/${entry.name}`);
  }
  return folders.sort();
}

Deno.test(
  "GET /api/conversations/search finds a word only inside an answer, with the passage marked",
  withApp(async ({ app, store }) => {
    seed(store);
    const res = await app.request("/api/conversations/search?q=moon");
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.equal(body.query, "moon");
    assert.equal(body.more, false);
    assert.equal(body.hits.length, 1);
    const [hit] = body.hits;
    assert.equal(hit.conversationId, "SELF-c1");
    assert.equal(hit.conversationTitle, "Sea questions");
    assert.equal(hit.messageId, "r1");
    assert.equal(hit.messageType, "Response");
    assert.equal(hit.readOnly, false);
    assert.deepEqual(
      hit.matches.map(([s, e]: [number, number]) => hit.snippet.slice(s, e)),
      ["Moon"],
    );
  }),
);

Deno.test(
  "GET /api/conversations/search refuses a bad query with 400 naming the field",
  withApp(async ({ app }) => {
    const cases: [string, RegExp][] = [
      ["", /^q: /],
      ["?q=", /^q: must not be empty$/],
      ["?q=%20%20", /^q: must not be empty$/],
      [`?q=${"a".repeat(201)}`, /^q: must be at most 200 characters$/],
      ["?q=x&limit=0", /^limit: must be at least 1$/],
      ["?q=x&limit=1000", /^limit: must be at most 100$/],
      ["?q=x&limit=many", /^limit: /],
      ["?q=x&limit=2.5", /^limit: must be a whole number$/],
    ];
    for (const [query, error] of cases) {
      const res = await app.request(`/api/conversations/search${query}`);
      assert.equal(res.status, 400, query);
      assert.match((await res.json()).error, error, query);
    }
  }),
);

Deno.test(
  "GET /api/conversations/:id/export gives the original's file shape or Markdown as a download",
  withApp(async ({ app, store }) => {
    seed(store);
    const json = await app.request("/api/conversations/SELF-c1/export");
    assert.equal(json.status, 200);
    assert.match(
      json.headers.get("content-disposition")!,
      /^attachment; filename="Sea_questions.json"/,
    );
    const legacy = LegacyConversation.parse(await json.json());
    assert.deepEqual(legacy.messages.map((m) => m.message_type), ["Question", "Response"]);
    assert.equal(legacy.messages[1].content, "Mostly the **Moon**: its gravity pulls the oceans.");

    const md = await app.request("/api/conversations/SELF-c1/export?format=markdown");
    assert.equal(md.status, 200);
    assert.match(md.headers.get("content-type")!, /^text\/markdown/);
    const text = await md.text();
    assert.match(text, /^# Sea questions\n/);
    assert.match(text, /### me · 1970-01-01 00:00 UTC\n\nWhy are there tides\?/);
    assert.match(text, /### llama3\.2 on me · .*\n\nMostly the \*\*Moon\*\*/);

    assert.equal((await app.request("/api/conversations/nope/export")).status, 404);
    const bad = await app.request("/api/conversations/SELF-c1/export?format=pdf");
    assert.equal(bad.status, 400);
    assert.match((await bad.json()).error, /^format: must be json or markdown$/);
  }),
);

Deno.test(
  "POST /api/conversations/import takes the original's folder: own and received, once",
  withApp(async ({ app, store, events, syncs }) => {
    const files = await originalFiles("original/");
    const res = await upload(app, files);
    assert.equal(res.status, 200);
    const report = await res.json();
    const kinds = report.outcomes.map((o: { kind: string }) => o.kind);
    assert.equal(kinds.filter((k: string) => k === "own").length, 1);
    assert.equal(kinds.filter((k: string) => k === "received").length, files.length - 1);
    assert.deepEqual(report.ignored, []);
    assert.equal(store.counts().conversations, files.length);
    assert.ok(events.some((e) => e.type === "conversation"), "the page hears of them");
    assert.equal(syncs.length, 1, "peers are offered them at once");
    // Imported messages are searchable like any other.
    const search = await (await app.request("/api/conversations/search?q=capital")).json();
    assert.ok(search.hits.length > 0);

    const again = await (await upload(app, files)).json();
    assert.equal(again.messages, 0, "importing twice adds nothing");
  }),
);

Deno.test(
  "POST /api/conversations/import files a single chosen file as own and leaves out the rest",
  withApp(async ({ app }) => {
    const text = await Deno.readTextFile(`${ORIGINAL}conversations/local.json`);
    const res = await upload(app, [
      { path: "local.json", text },
      { path: "notes.txt", text: "hello" },
    ]);
    assert.equal(res.status, 200);
    const report = await res.json();
    assert.deepEqual(report.outcomes.map((o: { kind: string }) => o.kind), ["own"]);
    assert.deepEqual(report.ignored, ["notes.txt"]);
  }),
);

Deno.test(
  "POST /api/conversations/import refuses an upload it cannot use, saying why",
  withApp(async ({ app }) => {
    const cases: [unknown[], RegExp][] = [
      [[], /^files: must name at least one file$/],
      [[{ path: "a.json" }], /^files\.0: give text or base64$/],
      [[{ path: "notes.txt", text: "x" }], /no conversation file in the upload/],
      [[{ path: "all.zip", base64: btoa("not a zip") }], /^all\.zip: not a ZIP archive$/],
    ];
    for (const [files, error] of cases) {
      const res = await upload(app, files);
      assert.equal(res.status, 400);
      assert.match((await res.json()).error, error);
    }
  }),
);

Deno.test("GET /api/conversations/export is a ZIP that imports back into another node", async () => {
  let zip = new Uint8Array();
  await withApp(async ({ app, store }) => {
    seed(store);
    await upload(app, await originalFiles(""));
    const res = await app.request("/api/conversations/export");
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "application/zip");
    assert.match(res.headers.get("content-disposition")!, /neuromesh-conversations-.*\.zip/);
    zip = new Uint8Array(await res.arrayBuffer());
    const paths = unzipFiles(zip, { maxEntries: 100, maxTotalBytes: 1 << 24 }).map((e) => e.path);
    assert.ok(paths.includes("neuromesh.json"));
    assert.ok(paths.includes("conversations/local.json"));
    assert.ok(paths.some((p) => p.startsWith("received/")));
    assert.ok(paths.includes("markdown/Sea_questions.md"));
  })();
  await withApp(async ({ app, store }) => {
    let binary = "";
    for (const byte of zip) binary += String.fromCharCode(byte);
    const res = await upload(app, [{ path: "neuromesh-conversations.zip", base64: btoa(binary) }]);
    assert.equal(res.status, 200);
    const report = await res.json();
    // The seeded chat and the original's six files, each once (local.json copies are skipped).
    assert.equal(report.conversations, 7);
    assert.equal(store.counts().conversations, 7);
    const hits = (await (await app.request("/api/conversations/search?q=moon")).json()).hits;
    assert.equal(hits.length, 1, "the answer's text came along");
  }, "OTHER")();
});
