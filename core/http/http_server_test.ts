import assert from "node:assert/strict";
import { Hono } from "hono";
import { bodyLimit } from "./body_limit.ts";
import { startHttpServer } from "./http_server.ts";

const encoder = new TextEncoder();
const options = { sanitizeResources: false, sanitizeOps: false };

/** Reads until the server closes the connection; returns what arrived and when it closed. */
async function readUntilClosed(
  conn: Deno.Conn,
  start: number,
): Promise<{ text: string; atMs: number }> {
  const buffer = new Uint8Array(4096);
  let text = "";
  try {
    for (let n = await conn.read(buffer); n !== null; n = await conn.read(buffer)) {
      text += new TextDecoder().decode(buffer.subarray(0, n));
    }
  } catch { /* reset: closed too */ }
  conn.close();
  return { text, atMs: performance.now() - start };
}

Deno.test(
  "connections that never finish their request head are closed after the header timeout",
  options,
  async () => {
    const server = await startHttpServer(() => new Response("ok"), {
      listen: { hostname: "127.0.0.1", port: 0 },
      headersTimeoutMs: 300,
    });
    try {
      const start = performance.now();
      const conns: Deno.Conn[] = [];
      for (let i = 0; i < 100; i++) {
        const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
        // Half of them send half a head; the others send nothing at all.
        if (i % 2 === 0) await conn.write(encoder.encode("GET / HTTP/1.1\r\nHost: x\r\nX-Slow: "));
        conns.push(conn);
      }
      const closed = await Promise.all(conns.map((conn) => readUntilClosed(conn, start)));
      const last = Math.max(...closed.map((c) => c.atMs));
      assert.ok(last < 3_000, `last closed after ${Math.round(last)} ms`);
      const served = await fetch(`http://127.0.0.1:${server.port}/`);
      assert.equal(await served.text(), "ok");
    } finally {
      await server.close();
    }
  },
);

Deno.test("the handler sees method, URL, headers, body and the peer address", options, async () => {
  const server = await startHttpServer(async (request, info) =>
    Response.json({
      method: request.method,
      url: request.url,
      type: request.headers.get("content-type"),
      body: await request.text(),
      remote: info.remoteAddr.transport === "tcp" ? info.remoteAddr.hostname : "unix",
    }, { headers: [["set-cookie", "a=1"], ["set-cookie", "b=2"]] }), {
    listen: { hostname: "127.0.0.1", port: 0 },
  });
  try {
    const res = await fetch(`http://127.0.0.1:${server.port}/p?q=1`, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: '{"a":1}',
    });
    assert.deepEqual(await res.json(), {
      method: "PATCH",
      url: `http://127.0.0.1:${server.port}/p?q=1`,
      type: "application/json",
      body: '{"a":1}',
      remote: "127.0.0.1",
    });
    assert.deepEqual(res.headers.getSetCookie(), ["a=1", "b=2"]);
  } finally {
    await server.close();
  }
});

Deno.test("a unix socket server reports no TCP peer", options, async () => {
  const path = await Deno.makeTempFile({ suffix: ".sock" });
  await Deno.remove(path);
  const server = await startHttpServer(
    (request, info) => Response.json({ transport: info.remoteAddr.transport, url: request.url }),
    { listen: { path } },
  );
  try {
    const conn = await Deno.connect({ transport: "unix", path });
    await conn.write(
      encoder.encode("GET /x HTTP/1.1\r\nHost: 127.0.0.1:9999\r\nConnection: close\r\n\r\n"),
    );
    const { text } = await readUntilClosed(conn, performance.now());
    assert.match(text, /"transport":"unix"/);
    assert.match(text, /"url":"http:\/\/127\.0\.0\.1:9999\/x"/);
  } finally {
    await server.close();
  }
});

Deno.test("the request signal aborts when the client goes away mid-answer", options, async () => {
  let aborted!: () => void;
  const abortSeen = new Promise<void>((resolve) => (aborted = resolve));
  const server = await startHttpServer((request) => {
    request.signal.addEventListener("abort", () => aborted());
    return new Response(
      new ReadableStream({
        async pull(controller) {
          await new Promise((resolve) => setTimeout(resolve, 20));
          controller.enqueue(encoder.encode("tick\n"));
        },
      }),
    );
  }, { listen: { hostname: "127.0.0.1", port: 0 } });
  try {
    const controller = new AbortController();
    const res = await fetch(`http://127.0.0.1:${server.port}/`, { signal: controller.signal });
    const reader = res.body!.getReader();
    await reader.read();
    controller.abort();
    await reader.cancel().catch(() => {});
    await abortSeen;
  } finally {
    await server.close();
  }
});

Deno.test("a chunked body over the limit gets 413 and the connection closes", options, async () => {
  const app = new Hono();
  app.use("*", bodyLimit({ maxBodyBytes: 64 * 1024, maxChatBodyBytes: 64 * 1024 }));
  app.post("/api/settings", async (c) => c.json({ bytes: (await c.req.arrayBuffer()).byteLength }));
  app.onError((_error, c) => c.json({ error: "cut" }, 400));
  const server = await startHttpServer(app.fetch, { listen: { hostname: "127.0.0.1", port: 0 } });
  try {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
    await conn.write(encoder.encode(
      "POST /api/settings HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" +
        "Transfer-Encoding: chunked\r\n\r\n",
    ));
    const answer = readUntilClosed(conn, performance.now());
    const chunk = encoder.encode(`4000\r\n${"a".repeat(0x4000)}\r\n`);
    // Up to 64 MiB, far past the limit: the server must answer and close long before.
    for (let sent = 0; sent < 4096; sent++) {
      try {
        await conn.write(chunk);
      } catch {
        break; // closed by the server
      }
    }
    const { text } = await answer;
    assert.match(text, /^HTTP\/1\.1 413 /);
    assert.match(text, /larger than 65536 bytes/);
  } finally {
    await server.close();
  }
});
