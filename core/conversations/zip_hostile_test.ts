/**
 * Hostile archives against unzipFiles(): bombs that lie about their size, damaged directories,
 * names that are not UTF-8, and random damage. Each must end in an Error saying why (the
 * import route's 400), in bounded memory, never a crash or a hang.
 */
import assert from "node:assert/strict";
import { createDeflateRaw, deflateRawSync } from "node:zlib";
import { unzipFiles, zipFiles } from "./zip.ts";

const limits = { maxEntries: 100, maxTotalBytes: 8 << 20 };
const text = (s: string) => new TextEncoder().encode(s);

interface RawEntry {
  name: Uint8Array;
  method: number;
  data: Uint8Array;
  /** Uncompressed size written in the headers (may lie). */
  size: number;
}

/** An archive exactly as described, lies included (the writer in zip.ts only writes the truth). */
function rawZip(entries: RawEntry[]): Uint8Array {
  const parts: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const entry of entries) {
    const local = new Uint8Array(30 + entry.name.length);
    const l = new DataView(local.buffer);
    l.setUint32(0, 0x04034b50, true);
    l.setUint16(8, entry.method, true);
    l.setUint32(18, entry.data.length, true);
    l.setUint32(22, entry.size, true);
    l.setUint16(26, entry.name.length, true);
    local.set(entry.name, 30);
    const central = new Uint8Array(46 + entry.name.length);
    const c = new DataView(central.buffer);
    c.setUint32(0, 0x02014b50, true);
    c.setUint16(10, entry.method, true);
    c.setUint32(20, entry.data.length, true);
    c.setUint32(24, entry.size, true);
    c.setUint16(28, entry.name.length, true);
    c.setUint32(42, offset, true);
    central.set(entry.name, 46);
    parts.push(local, entry.data);
    centrals.push(central);
    offset += local.length + entry.data.length;
  }
  const centralSize = centrals.reduce((n, p) => n + p.length, 0);
  const end = new Uint8Array(22);
  const e = new DataView(end.buffer);
  e.setUint32(0, 0x06054b50, true);
  e.setUint16(8, entries.length, true);
  e.setUint16(10, entries.length, true);
  e.setUint32(12, centralSize, true);
  e.setUint32(16, offset, true);
  const out = new Uint8Array(offset + centralSize + 22);
  let at = 0;
  for (const part of [...parts, ...centrals, end]) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Deflated zeros, `mib` MiB of them, compressed a MiB at a time (never held whole). */
async function deflatedZeros(mib: number): Promise<Uint8Array> {
  const stream = createDeflateRaw({ level: 9 });
  const chunks: Uint8Array[] = [];
  stream.on("data", (chunk: Uint8Array) => chunks.push(chunk));
  const done = new Promise((resolve) => stream.on("end", resolve));
  const zeros = new Uint8Array(1 << 20);
  for (let i = 0; i < mib; i++) {
    if (!stream.write(zeros)) await new Promise((resolve) => stream.once("drain", resolve));
  }
  stream.end();
  await done;
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

Deno.test("unzipFiles() stops a ZIP bomb that lies about its size while inflating", async () => {
  // 256 MiB of zeros in ~0.25 MB, declared as 1 KiB: inflating must stop at the declared size.
  const bomb = await deflatedZeros(256);
  const archive = rawZip([{
    name: text("conversations/a.json"),
    method: 8,
    data: bomb,
    size: 1024,
  }]);
  const before = Deno.memoryUsage().rss;
  assert.throws(
    () => unzipFiles(archive, limits),
    (error: Error) => {
      assert.equal(error.constructor, Error, `a plain Error, got ${error.name}`);
      assert.match(error.message, /conversations\/a\.json unpacks to more than its 1024 bytes/);
      return true;
    },
  );
  const grown = Deno.memoryUsage().rss - before;
  assert.ok(grown < 64 << 20, `memory grew by ${grown} bytes while refusing the bomb`);
});

Deno.test("unzipFiles() counts what entries unpack to, not what they declare, in the total", () => {
  // Honest sizes, each within limits, together over: refused before the third is inflated.
  const data = new Uint8Array(3 << 20);
  const deflated = deflateRawSync(data);
  const entries = ["a", "b", "c"].map((n) => ({
    name: text(`${n}.json`),
    method: 8,
    data: deflated,
    size: data.length,
  }));
  assert.throws(
    () => unzipFiles(rawZip(entries), { maxEntries: 10, maxTotalBytes: 8 << 20 }),
    /unpacks to more than 8388608 bytes/,
  );
});

Deno.test("unzipFiles() refuses damaged directories with an Error naming the damage", () => {
  const good = zipFiles([{ path: "a.json", data: text("{}") }, {
    path: "b.json",
    data: text("[]"),
  }]);
  const endAt = good.length - 22;
  const edit = (fn: (v: DataView, bytes: Uint8Array) => void) => {
    const copy = good.slice();
    fn(new DataView(copy.buffer), copy);
    return copy;
  };
  const cases: [string, Uint8Array, RegExp][] = [
    [
      "more entries than the directory holds",
      edit((v) => v.setUint16(endAt + 10, 40, true)),
      /directory is damaged/,
    ],
    [
      "directory beyond the end",
      edit((v) => v.setUint32(endAt + 16, 0xffffff00, true)),
      /directory is damaged/,
    ],
    [
      "local header beyond the end",
      edit((v) => v.setUint32(good.length - 22 - 52 + 42, 0xfffffff0, true)),
      /entry b\.json is damaged/,
    ],
    [
      "compressed size beyond the end",
      edit((v) => v.setUint32(good.length - 22 - 52 + 20, 1 << 30, true)),
      /entry b\.json is cut short/,
    ],
    [
      "an unknown method",
      edit((v) => v.setUint16(good.length - 22 - 52 + 10, 12, true)),
      /compression method 12/,
    ],
    [
      "deflate data that is not deflate",
      edit((v) => v.setUint16(good.length - 22 - 52 + 10, 8, true)),
      /entry b\.json is damaged|unpacks to more/,
    ],
    ["too short for anything", good.slice(0, 10), /not a ZIP archive/],
  ];
  for (const [what, archive, expected] of cases) {
    assert.throws(() => unzipFiles(archive, limits), (error: Error) => {
      assert.equal(
        error.constructor,
        Error,
        `${what}: a plain Error, got ${error.name}: ${error.message}`,
      );
      assert.match(error.message, expected, what);
      return true;
    });
  }
});

Deno.test("unzipFiles() reads names that are not UTF-8 without failing", () => {
  const archive = rawZip([{
    name: new Uint8Array([0x63, 0xff, 0xfe, 0x2e, 0x6a, 0x73, 0x6f, 0x6e]),
    method: 0,
    data: text("{}"),
    size: 2,
  }]);
  const [entry] = unzipFiles(archive, limits);
  assert.equal(entry.path, "c\ufffd\ufffd.json");
});

Deno.test("unzipFiles() on randomly damaged archives: an Error or entries, never anything else", () => {
  const body = text(JSON.stringify({ messages: "words ".repeat(300) }));
  const archive = rawZip([
    {
      name: text("conversations/a.json"),
      method: 8,
      data: deflateRawSync(body),
      size: body.length,
    },
    { name: text("received/10.0.0.5/b.json"), method: 0, data: body, size: body.length },
  ]);
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  let refused = 0;
  for (let round = 0; round < 3000; round++) {
    const copy = archive.slice();
    for (let flips = 1 + Math.floor(random() * 4); flips > 0; flips--) {
      copy[Math.floor(random() * copy.length)] = Math.floor(random() * 256);
    }
    try {
      for (const entry of unzipFiles(copy, limits)) {
        assert.ok(entry.data.length <= limits.maxTotalBytes);
      }
    } catch (error) {
      assert.equal(
        (error as Error).constructor,
        Error,
        `round ${round}: ${(error as Error).name}: ${(error as Error).message}`,
      );
      refused++;
    }
  }
  assert.ok(refused > 0, "some damage is noticed");
});
