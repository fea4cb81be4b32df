/**
 * Hostile HTTP clients for tests/e2e/http_limits_test.ts, run inside a lab namespace against a
 * node's own TCP port there (loopback only). Each prints one JSON line.
 *
 *   bodies --target HOST:PORT --path P --count N --bytes B --mode length|chunked
 *       N concurrent POSTs of B bytes each, with a declared Content-Length or chunked;
 *       reports each answer's status (or "closed" if none came) and how long it took.
 *   slow-headers --target HOST:PORT --count N --wait-ms W
 *       N connections that send half a request head and then nothing; reports how many the
 *       server closed and when (the last one), within W ms.
 */
import { parseArgs } from "node:util";

const encoder = new TextEncoder();
const CHUNK = new Uint8Array(1024 * 1024).fill(0x61);

/** Writes all of `bytes` (a single write may take only part of them). */
async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  for (let offset = 0; offset < bytes.length;) offset += await conn.write(bytes.subarray(offset));
}

function target(text: string): { hostname: string; port: number } {
  const [hostname, port] = text.split(":");
  return { hostname, port: Number(port) };
}

/** Reads until the server closes (or `deadline`); returns the status of the first answer. */
async function readStatus(conn: Deno.Conn, deadline: number): Promise<string> {
  const buffer = new Uint8Array(16 * 1024);
  let head = "";
  const timer = setTimeout(() => conn.close(), Math.max(0, deadline - Date.now()));
  try {
    while (true) {
      const n = await conn.read(buffer);
      if (n === null) break;
      if (head.length < 200) head += new TextDecoder().decode(buffer.subarray(0, n));
    }
  } catch { /* reset or closed by the timer */ }
  clearTimeout(timer);
  return /^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? "closed";
}

async function postOnce(
  to: { hostname: string; port: number },
  path: string,
  bytes: number,
  chunked: boolean,
): Promise<{ status: string; ms: number; sentMiB: number }> {
  const start = Date.now();
  const conn = await Deno.connect(to);
  const framing = chunked ? "Transfer-Encoding: chunked" : `Content-Length: ${bytes}`;
  await writeAll(
    conn,
    encoder.encode(
      `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n${framing}\r\n\r\n`,
    ),
  );
  const status = readStatus(conn, start + 60_000);
  const chunkHead = encoder.encode(`${CHUNK.length.toString(16)}\r\n`);
  const crlf = encoder.encode("\r\n");
  let sent = 0;
  try {
    while (sent < bytes && Date.now() - start < 60_000) {
      if (chunked) await writeAll(conn, chunkHead);
      await writeAll(conn, CHUNK);
      if (chunked) await writeAll(conn, crlf);
      sent += CHUNK.length;
    }
    if (chunked) await writeAll(conn, encoder.encode("0\r\n\r\n"));
  } catch { /* the server closed the connection: expected after a 413 */ }
  return { status: await status, ms: Date.now() - start, sentMiB: Math.round(sent / CHUNK.length) };
}

async function bodies(values: Record<string, string | undefined>) {
  const to = target(values.target!);
  const count = Number(values.count ?? 4);
  const bytes = Number(values.bytes ?? 200 * 1024 * 1024);
  const results = await Promise.all(
    Array.from(
      { length: count },
      () => postOnce(to, values.path!, bytes, values.mode === "chunked"),
    ),
  );
  console.log(JSON.stringify({ results }));
}

async function slowHeaders(values: Record<string, string | undefined>) {
  const to = target(values.target!);
  const count = Number(values.count ?? 2000);
  const waitMs = Number(values["wait-ms"] ?? 20_000);
  const start = Date.now();
  const conns: Deno.Conn[] = [];
  for (let i = 0; i < count; i++) {
    const conn = await Deno.connect(to);
    await conn.write(
      encoder.encode(`GET /api/status HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow-${i}: `),
    );
    conns.push(conn);
  }
  const openedMs = Date.now() - start;
  const closedAt: number[] = [];
  await Promise.all(conns.map(async (conn) => {
    const buffer = new Uint8Array(1024);
    const timer = setTimeout(() => conn.close(), Math.max(0, start + waitMs - Date.now()));
    let closedByServer = false;
    try {
      while ((await conn.read(buffer)) !== null) { /* a 408 may come first */ }
      closedByServer = true;
    } catch {
      closedByServer = Date.now() < start + waitMs; // a reset from the server
    }
    clearTimeout(timer);
    if (closedByServer) {
      closedAt.push(Date.now() - start);
      try {
        conn.close();
      } catch { /* closed */ }
    }
  }));
  closedAt.sort((a, b) => a - b);
  console.log(JSON.stringify({
    opened: count,
    openedMs,
    closed: closedAt.length,
    firstClosedMs: closedAt[0] ?? null,
    lastClosedMs: closedAt.at(-1) ?? null,
  }));
}

const { positionals, values } = parseArgs({
  args: Deno.args,
  allowPositionals: true,
  options: {
    target: { type: "string" },
    path: { type: "string" },
    count: { type: "string" },
    bytes: { type: "string" },
    mode: { type: "string" },
    "wait-ms": { type: "string" },
  },
});
if (positionals[0] === "bodies") await bodies(values);
else if (positionals[0] === "slow-headers") await slowHeaders(values);
else throw new Error(`unknown tool ${positionals[0]}`);
