import assert from "node:assert/strict";
import { deflateRawSync } from "node:zlib";
import { unzipFiles, zipFiles } from "./zip.ts";

const limits = { maxEntries: 100, maxTotalBytes: 1 << 20 };
const text = (s: string) => new TextEncoder().encode(s);

Deno.test("zipFiles() and unzipFiles() round-trip files with UTF-8 names", () => {
  const entries = [
    { path: "conversations/local.json", data: text('{"id":"local"}') },
    { path: "received/192.168.1.4/Ünïcode chat.md", data: text("# Zürich ☕") },
    { path: "empty.txt", data: new Uint8Array() },
  ];
  const back = unzipFiles(zipFiles(entries), limits);
  assert.deepEqual(back, entries);
});

Deno.test("unzipFiles() reads deflated entries (method 8, as archivers write) and skips folders", () => {
  const body = text(JSON.stringify({ text: "a long line ".repeat(200) }));
  const stored = zipFiles([
    { path: "conversations/", data: new Uint8Array() },
    { path: "conversations/a.json", data: body },
  ]);
  // Rewrite the second entry as deflated: same headers, method 8, compressed size and data.
  const deflated = new Uint8Array(deflateRawSync(body));
  const view = new DataView(stored.buffer);
  const secondLocal = 30 + "conversations/".length;
  const name = "conversations/a.json";
  const localHead = stored.slice(secondLocal, secondLocal + 30 + name.length);
  new DataView(localHead.buffer).setUint16(8, 8, true);
  new DataView(localHead.buffer).setUint32(18, deflated.length, true);
  const firstLocal = stored.slice(0, secondLocal);
  const centralAt = view.getUint32(stored.length - 22 + 16, true);
  const central = stored.slice(centralAt, stored.length - 22);
  const c = new DataView(central.buffer);
  const secondCentral = 46 + "conversations/".length;
  c.setUint16(secondCentral + 10, 8, true);
  c.setUint32(secondCentral + 20, deflated.length, true);
  const end = stored.slice(stored.length - 22);
  new DataView(end.buffer).setUint32(
    16,
    firstLocal.length + localHead.length + deflated.length,
    true,
  );
  const archive = new Uint8Array([...firstLocal, ...localHead, ...deflated, ...central, ...end]);
  assert.ok(archive.length < stored.length, "the entry is compressed");
  const entries = unzipFiles(archive, limits);
  assert.deepEqual(entries.map((e) => e.path), [name]);
  assert.deepEqual(entries[0].data, body);
});

Deno.test("unzipFiles() refuses what is not an archive, too many entries, or too many bytes", () => {
  assert.throws(() => unzipFiles(text("just text"), limits), /not a ZIP archive/);
  const three = zipFiles(["a", "b", "c"].map((p) => ({ path: p, data: text("12345") })));
  assert.throws(
    () => unzipFiles(three, { maxEntries: 2, maxTotalBytes: 100 }),
    /3 entries, more than 2/,
  );
  assert.throws(
    () => unzipFiles(three, { maxEntries: 10, maxTotalBytes: 12 }),
    /more than 12 bytes/,
  );
});
