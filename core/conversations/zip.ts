/**
 * The ZIP container, as much as exports need: writing files uncompressed (method 0, "stored"),
 * reading stored or deflated (method 8) entries, as any archiver makes them. No ZIP64, no
 * encryption. Reading is bounded (entries, sizes), so an upload cannot blow up in memory.
 */
import { crc32, inflateRawSync } from "node:zlib";

export interface ZipEntry {
  /** Forward-slash path inside the archive. */
  path: string;
  data: Uint8Array;
}

export interface UnzipLimits {
  maxEntries: number;
  /** Uncompressed bytes of all entries together. */
  maxTotalBytes: number;
}

const LOCAL_HEADER = 0x04034b50;
const CENTRAL_HEADER = 0x02014b50;
const END_OF_CENTRAL = 0x06054b50;
/** Bit 11: the names are UTF-8. */
const UTF8_FLAG = 0x0800;

/** An archive holding `entries` uncompressed, stamped 1980-01-01 (content alone decides the bytes). */
export function zipFiles(entries: ZipEntry[]): Uint8Array {
  const encoder = new TextEncoder();
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = encoder.encode(entry.path);
    const crc = crc32(entry.data) >>> 0;
    const local = new Uint8Array(30 + name.length);
    const l = new DataView(local.buffer);
    l.setUint32(0, LOCAL_HEADER, true);
    l.setUint16(4, 20, true);
    l.setUint16(6, UTF8_FLAG, true);
    l.setUint16(12, 0x21, true); // date: 1980-01-01
    l.setUint32(14, crc, true);
    l.setUint32(18, entry.data.length, true);
    l.setUint32(22, entry.data.length, true);
    l.setUint16(26, name.length, true);
    local.set(name, 30);
    const central = new Uint8Array(46 + name.length);
    const c = new DataView(central.buffer);
    c.setUint32(0, CENTRAL_HEADER, true);
    c.setUint16(4, 20, true);
    c.setUint16(6, 20, true);
    c.setUint16(8, UTF8_FLAG, true);
    c.setUint16(14, 0x21, true);
    c.setUint32(16, crc, true);
    c.setUint32(20, entry.data.length, true);
    c.setUint32(24, entry.data.length, true);
    c.setUint16(28, name.length, true);
    c.setUint32(42, offset, true);
    central.set(name, 46);
    locals.push(local, entry.data);
    centrals.push(central);
    offset += local.length + entry.data.length;
  }
  const centralSize = centrals.reduce((n, part) => n + part.length, 0);
  const end = new Uint8Array(22);
  const e = new DataView(end.buffer);
  e.setUint32(0, END_OF_CENTRAL, true);
  e.setUint16(8, entries.length, true);
  e.setUint16(10, entries.length, true);
  e.setUint32(12, centralSize, true);
  e.setUint32(16, offset, true);
  return concat([...locals, ...centrals, end]);
}

/** The files of an archive (folders left out), or an Error saying why it cannot be read. */
export function unzipFiles(bytes: Uint8Array, limits: UnzipLimits): ZipEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const endAt = findEndOfCentral(view);
  const count = view.getUint16(endAt + 10, true);
  if (count > limits.maxEntries) {
    throw new Error(`the archive holds ${count} entries, more than ${limits.maxEntries}`);
  }
  let at = view.getUint32(endAt + 16, true);
  const decoder = new TextDecoder();
  const entries: ZipEntry[] = [];
  let total = 0;
  for (let i = 0; i < count; i++) {
    if (at + 46 > bytes.length || view.getUint32(at, true) !== CENTRAL_HEADER) {
      throw new Error("the archive's directory is damaged");
    }
    const method = view.getUint16(at + 10, true);
    const compressed = view.getUint32(at + 20, true);
    const size = view.getUint32(at + 24, true);
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    const localAt = view.getUint32(at + 42, true);
    const path = decoder.decode(bytes.subarray(at + 46, at + 46 + nameLength));
    at += 46 + nameLength + extraLength + commentLength;
    if (path.endsWith("/")) continue;
    total += size;
    if (total > limits.maxTotalBytes) {
      throw new Error(`the archive unpacks to more than ${limits.maxTotalBytes} bytes`);
    }
    if (localAt + 30 > bytes.length || view.getUint32(localAt, true) !== LOCAL_HEADER) {
      throw new Error(`the archive's entry ${path} is damaged`);
    }
    const dataAt = localAt + 30 + view.getUint16(localAt + 26, true) +
      view.getUint16(localAt + 28, true);
    const raw = bytes.subarray(dataAt, dataAt + compressed);
    if (raw.length !== compressed) throw new Error(`the archive's entry ${path} is cut short`);
    let data: Uint8Array;
    if (method === 0) data = raw.slice();
    else if (method === 8) data = inflateEntry(raw, size, path);
    else throw new Error(`the archive's entry ${path} uses compression method ${method}`);
    if (data.length !== size) throw new Error(`the archive's entry ${path} has the wrong size`);
    entries.push({ path, data });
  }
  return entries;
}

/**
 * Inflates at most the entry's declared size: zlib stops as soon as the output would pass it, so
 * an entry that lies (a ZIP bomb) costs its declared size in memory, never what it expands to.
 */
function inflateEntry(raw: Uint8Array, size: number, path: string): Uint8Array {
  try {
    return new Uint8Array(inflateRawSync(raw, { maxOutputLength: Math.max(size, 1) }));
  } catch (error) {
    if ((error as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") {
      throw new Error(`the archive's entry ${path} unpacks to more than its ${size} bytes`);
    }
    throw new Error(`the archive's entry ${path} is damaged`);
  }
}

function findEndOfCentral(view: DataView): number {
  // The end record is 22 bytes plus a comment of up to 65535 bytes, at the very end.
  for (let at = view.byteLength - 22; at >= Math.max(0, view.byteLength - 22 - 65535); at--) {
    if (view.getUint32(at, true) === END_OF_CENTRAL) return at;
  }
  throw new Error("not a ZIP archive");
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
