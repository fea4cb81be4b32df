/**
 * Hostile uploads to POST /api/conversations/import: names that climb out of the import folder,
 * several archives that each fit but not together, too many entries, duplicates, a large upload.
 * Each ends in a 400 naming what is wrong, or a report that lists what was left out; nothing is
 * written outside the import's own temporary folder.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { deflateRawSync } from "node:zlib";
import type { Hono } from "hono";
import { ConversationArchive } from "../conversations/archive.ts";
import { ConversationEvents } from "../conversations/conversation_events.ts";
import { searchConversations } from "../conversations/search.ts";
import type { UnzipLimits } from "../conversations/zip.ts";
import { zipFiles } from "../conversations/zip.ts";
import { EventHub } from "../events/hub.ts";
import { ConversationStore } from "../store/store.ts";
import { conversationArchiveRoutes } from "./conversation_archive_routes.ts";

const ORIGINAL = new URL("../conversations/testdata/original/", import.meta.url).pathname;
const LOCAL = await Deno.readTextFile(`${ORIGINAL}conversations/local.json`);
const text = (s: string) => new TextEncoder().encode(s);

function withApp(fn: (app: Hono, store: ConversationStore) => Promise<void>, limits?: UnzipLimits) {
  return async () => {
    const store = ConversationStore.openPath(":memory:", { nodeId: "SELF" });
    const archive = new ConversationArchive({
      store,
      node: () => ({ id: "SELF", name: "me" }),
      published: new ConversationEvents(new EventHub(), store, "SELF"),
      syncNow: () => {},
      limits,
    });
    const app = conversationArchiveRoutes({
      search: (q, limit) => searchConversations(store, q, limit),
      archive,
    });
    try {
      await fn(app, store);
    } finally {
      store.close();
    }
  };
}

async function upload(app: Hono, files: unknown[]) {
  return await app.request("/api/conversations/import", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ files }),
  });
}

const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");

async function exists(path: string) {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

Deno.test(
  "import: names that climb out of the folder or are absolute are left out, never written",
  withApp(async (app, store) => {
    const canary = `neuromesh-canary-${crypto.randomUUID()}`;
    const tmp = Deno.env.get("TMPDIR") ?? "/tmp";
    const evil = [
      `../${canary}.json`,
      `../../../../../../${tmp.slice(1)}/${canary}.json`,
      `${tmp}/${canary}.json`,
      `conversations/../../${canary}.json`,
      `received/../../${canary}.json`,
      `..\\..\\${canary}.json`,
      `C:\\${canary}.json`,
      `received/..${"/"}x/${canary}.json`,
      `conversations/${canary}\u0000.json`,
    ];
    const archive = zipFiles([
      { path: "conversations/local.json", data: text(LOCAL) },
      ...evil.map((path) => ({ path, data: text(LOCAL) })),
    ]);
    const res = await upload(app, [
      { path: "export.zip", base64: base64(archive) },
      ...evil.map((path) => ({ path, text: LOCAL })),
    ]);
    assert.equal(res.status, 200);
    const report = await res.json();
    assert.equal(report.conversations, 1, "the one well-placed file is imported");
    assert.deepEqual(report.ignored.sort(), [...evil, ...evil].sort());
    assert.equal(store.counts().conversations, 1);
    for (
      const place of [`${tmp}/${canary}.json`, `/${canary}.json`, `${Deno.cwd()}/${canary}.json`]
    ) {
      assert.equal(await exists(place), false, `${place} was written`);
    }
  }),
);

Deno.test(
  "import: archives that each fit but together unpack past the limit are refused (one budget)",
  withApp(async (app, store) => {
    // Each archive: 700 KiB of one conversation file, deflated to a few KiB; the limit is 1 MiB.
    const padded = JSON.stringify({ ...JSON.parse(LOCAL), padding: "x".repeat(700 << 10) });
    const zip = (name: string) => {
      const stored = zipFiles([{ path: `conversations/${name}.json`, data: text(padded) }]);
      return deflatedCopy(stored);
    };
    const res = await upload(app, [
      { path: "one.zip", base64: base64(zip("one")) },
      { path: "two.zip", base64: base64(zip("two")) },
    ]);
    assert.equal(res.status, 400);
    assert.match(
      (await res.json()).error,
      /^two\.zip: the archive unpacks to more than \d+ bytes$/,
    );
    assert.equal(store.counts().conversations, 0, "nothing is imported from a refused upload");
  }, { maxEntries: 100, maxTotalBytes: 1 << 20 }),
);

Deno.test(
  "import: too many entries, in one archive or over several, is a 400 saying so",
  withApp(async (app) => {
    const many = zipFiles(
      Array.from(
        { length: 6000 },
        (_, i) => ({ path: `conversations/${i}.json`, data: text("{}") }),
      ),
    );
    const res = await upload(app, [{ path: "many.zip", base64: base64(many) }]);
    assert.equal(res.status, 400);
    assert.match(
      (await res.json()).error,
      /^many\.zip: the archive holds 6000 entries, more than 5000$/,
    );

    const half = zipFiles(
      Array.from(
        { length: 3000 },
        (_, i) => ({ path: `conversations/${i}.json`, data: text("{}") }),
      ),
    );
    const twice = await upload(app, [
      { path: "a.zip", base64: base64(half) },
      { path: "b.zip", base64: base64(half) },
    ]);
    assert.equal(twice.status, 400);
    assert.match(
      (await twice.json()).error,
      /^b\.zip: the archive holds 3000 entries, more than 2000$/,
    );
  }),
);

Deno.test(
  "import: a name given twice keeps the first and lists the others as left out",
  withApp(async (app, store) => {
    const other = JSON.stringify({ ...JSON.parse(LOCAL), messages: [] });
    const archive = zipFiles([
      { path: "conversations/local.json", data: text(LOCAL) },
      { path: "conversations/local.json", data: text(other) },
      { path: "x/conversations/local.json", data: text(other) },
    ]);
    const res = await upload(app, [{ path: "dup.zip", base64: base64(archive) }]);
    assert.equal(res.status, 200);
    const report = await res.json();
    assert.deepEqual(report.ignored, ["conversations/local.json", "x/conversations/local.json"]);
    assert.ok(report.messages > 0, "the first one's messages are kept");
    assert.equal(store.counts().conversations, 1);
  }),
);

Deno.test(
  "import: a 20 MiB archive is read in bounded memory",
  withApp(async (app, store) => {
    const noise = crypto.getRandomValues(new Uint8Array(65536));
    const big = new Uint8Array(20 << 20);
    for (let at = 0; at < big.length; at += noise.length) big.set(noise, at);
    const archive = zipFiles([
      { path: "conversations/local.json", data: text(LOCAL) },
      { path: "attachments/blob.bin", data: big },
    ]);
    const body = JSON.stringify({ files: [{ path: "export.zip", base64: base64(archive) }] });
    const before = Deno.memoryUsage().rss;
    const started = performance.now();
    const res = await app.request("/api/conversations/import", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
    const ms = performance.now() - started;
    const grown = Deno.memoryUsage().rss - before;
    assert.equal(res.status, 200);
    assert.deepEqual((await res.json()).ignored, ["attachments/blob.bin"]);
    assert.equal(store.counts().conversations, 1);
    console.log(`20 MiB archive: ${Math.round(ms)} ms, RSS +${grown >> 20} MiB`);
    assert.ok(grown < 400 << 20, `memory grew by ${grown >> 20} MiB`);
  }),
);

/** The same archive with every entry deflated (as archivers write it). */
function deflatedCopy(stored: Uint8Array): Uint8Array {
  const view = new DataView(stored.buffer, stored.byteOffset, stored.byteLength);
  const nameLength = view.getUint16(26, true);
  const name = stored.subarray(30, 30 + nameLength);
  const size = view.getUint32(22, true);
  const data = stored.subarray(30 + nameLength, 30 + nameLength + size);
  const deflated = new Uint8Array(deflateRawSync(data));
  const local = stored.slice(0, 30 + nameLength);
  const l = new DataView(local.buffer);
  l.setUint16(8, 8, true);
  l.setUint32(18, deflated.length, true);
  const central = stored.slice(30 + nameLength + size, stored.length - 22);
  const c = new DataView(central.buffer);
  c.setUint16(10, 8, true);
  c.setUint32(20, deflated.length, true);
  const end = stored.slice(stored.length - 22);
  new DataView(end.buffer).setUint32(16, local.length + deflated.length, true);
  assert.equal(name.length, nameLength);
  const out = new Uint8Array(local.length + deflated.length + central.length + end.length);
  out.set(local, 0);
  out.set(deflated, local.length);
  out.set(central, local.length + deflated.length);
  out.set(end, local.length + deflated.length + central.length);
  return out;
}

Deno.test(
  "search: FTS5 syntax in the query is only words — never a 500, never a syntax error",
  withApp(async (app, store) => {
    const texts = ["tides and the moon", 'say "NEAR" (twice)', "col:umn a*b", "plain words"];
    store.commitLocal([
      {
        type: "conversation",
        value: {
          id: "SELF-c1",
          title: "t",
          originNode: "SELF",
          hostInfo: { nodeId: "SELF", nodeName: "me", isLlmHost: true },
          createdAt: "2026-01-05T10:00:00Z",
          shared: true,
          hlc: "000000000000001-000000-SELF",
        },
      },
      ...texts.map((content, i) => ({
        type: "message" as const,
        value: {
          id: `m${i}`,
          conversationId: "SELF-c1",
          content,
          timestamp: "2026-01-05T10:00:00Z",
          sender: "me",
          messageType: "Question" as const,
          hostInfo: { nodeId: "SELF", nodeName: "me", isLlmHost: true },
          originNode: "SELF",
          hlc: `00000000000000${i + 2}-000000-SELF`,
          createdHlc: `00000000000000${i + 2}-000000-SELF`,
          complete: true,
        },
      })),
    ]);
    const hostile = [
      '"',
      '"""',
      "moon OR tides",
      "NEAR(moon tides, 1)",
      "content:moon",
      "title : x",
      "*",
      "moon*",
      "((moon",
      "moon)",
      "-moon",
      "^moon",
      "moon\u0000tides",
      "\u0000",
      "AND",
      "NOT moon",
      "{content title}: moon",
      "a".repeat(200),
      "x ".repeat(100),
      "\u0002moon\u0003",
      "'; DROP TABLE messages; --",
    ];
    for (const q of hostile) {
      const res = await app.request(`/api/conversations/search?q=${encodeURIComponent(q)}`);
      assert.ok(res.status === 200 || res.status === 400, `${JSON.stringify(q)}: ${res.status}`);
      const body = await res.json();
      if (res.status === 400) assert.match(body.error, /^q: /, JSON.stringify(q));
      else assert.ok(Array.isArray(body.hits), JSON.stringify(q));
    }
    const near = await (await app.request("/api/conversations/search?q=NEAR")).json();
    assert.deepEqual(near.hits.map((h: { messageId: string }) => h.messageId), ["m1"]);
    const quoted =
      await (await app.request(`/api/conversations/search?q=${encodeURIComponent('"near"')}`))
        .json();
    assert.deepEqual(quoted.hits.map((h: { messageId: string }) => h.messageId), ["m1"]);
    assert.equal(store.counts().messages, texts.length, "nothing dropped");
  }),
);

Deno.test(
  "import: one at a time — a second upload while one runs is a 409, and works afterwards",
  withApp(async (app, store) => {
    const files = [{ path: "local.json", text: LOCAL }];
    const [first, second] = await Promise.all([upload(app, files), upload(app, files)]);
    assert.equal(first.status, 200);
    assert.equal(second.status, 409);
    assert.match((await second.json()).error, /another import is running/);
    await first.body?.cancel();
    const again = await upload(app, files);
    assert.equal(again.status, 200);
    assert.equal((await again.json()).messages, 0, "the same file adds nothing the second time");
    assert.equal(store.counts().conversations, 1);
  }),
);

Deno.test(
  "import: a damaged neuromesh.json is a 400 naming it, without the node's temporary paths",
  withApp(async (app, store) => {
    for (const manifest of ["{oops", '{"conversations":[{"file":"../../../etc/passwd"}]}']) {
      const res = await upload(app, [
        { path: "export/neuromesh.json", text: manifest },
        { path: "export/conversations/local.json", text: LOCAL },
      ]);
      const body = await res.json();
      assert.equal(res.status, 400, body.error);
      assert.match(body.error, /^neuromesh\.json is not a NeuroMesh export manifest: /);
      assert.doesNotMatch(body.error, /neuromesh-import-|\/tmp/);
    }
    assert.equal(store.counts().conversations, 0);
  }),
);
