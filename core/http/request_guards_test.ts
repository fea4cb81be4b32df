import assert from "node:assert/strict";
import { Hono } from "hono";
import { OriginAllowList } from "../net/origin.ts";
import { createApp } from "./app.ts";
import { requestGuards } from "./request_guards.ts";
import { createLogger } from "../log/logger.ts";

const NODE = "http://127.0.0.1:8080";
const ALLOWED = "http://10.0.0.5:3000";

/** A node-like app: the guards, then routes that record what reached them. */
function rig(allow: string[] = [ALLOWED]) {
  const reached: string[] = [];
  const routes = new Hono();
  const record = async (c: import("hono").Context) => {
    const body = c.req.method === "GET" ? "" : await c.req.text();
    reached.push(`${c.req.method} ${c.req.path}`);
    return c.json({ ok: true, bytes: body.length }, 200, { "X-NeuroMesh-Host": "NODE" });
  };
  routes.post("/api/conversations", record);
  routes.patch("/api/settings", record);
  routes.delete("/api/conversations/:id", record);
  routes.post("/api/token/rotate", record);
  routes.post("/api/chat", record);
  routes.post("/api/conversations/:id/messages", record);
  routes.get("/api/status", record);
  routes.get("/v1/models", record);
  const refused: string[] = [];
  const app = createApp([
    requestGuards({
      allowedOrigins: new OriginAllowList(allow),
      tokens: { verify: () => Promise.resolve(false) },
      limits: { maxBodyBytes: 1000, maxChatBodyBytes: 5000 },
      remoteAddressOf: () => null, // as on the unix socket: no token asked
      onOriginRefused: (reason) => refused.push(reason),
    }),
    routes,
  ], createLogger("error"));
  const call = (path: string, init: RequestInit = {}) => app.request(`${NODE}${path}`, init);
  return { call, reached, refused };
}

const json = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: "POST",
  headers: { "content-type": "application/json", ...headers },
  body: JSON.stringify(body),
});

Deno.test("a hostile page's requests are refused with 403 before any route runs", async () => {
  const { call, reached, refused } = rig();
  const hostile = { origin: "http://127.0.0.2:8000", "sec-fetch-site": "same-site" };
  const attempts: [string, RequestInit][] = [
    ["/api/conversations", {
      method: "POST",
      headers: { ...hostile, "content-type": "text/plain" },
      body: "{}",
    }],
    ["/api/conversations", {
      method: "POST",
      headers: {
        ...hostile,
        "sec-fetch-mode": "navigate",
        "content-type": "application/x-www-form-urlencoded",
      },
      body: "title=x",
    }],
    ["/api/settings", { method: "PATCH", headers: hostile, body: '{"name":"pwned"}' }],
    ["/api/conversations/abc", { method: "DELETE", headers: hostile }],
    ["/api/token/rotate", { method: "POST", headers: hostile }],
    ["/api/chat", {
      method: "POST",
      headers: { ...hostile, "sec-fetch-mode": "no-cors" },
      body: "{}",
    }],
    ["/v1/models", { headers: { "sec-fetch-site": "cross-site", "sec-fetch-mode": "no-cors" } }],
    ["/api/conversations", { method: "POST", headers: { origin: "null" }, body: "{}" }],
  ];
  for (const [path, init] of attempts) {
    const res = await call(path, init);
    assert.equal(res.status, 403, `${init.method ?? "GET"} ${path}`);
    const { error } = await res.json();
    assert.match(error, /^refused /);
    assert.equal(res.headers.get("access-control-allow-origin"), null);
  }
  assert.deepEqual(reached, []);
  assert.equal(refused.length, attempts.length);
});

Deno.test("curl, SDKs and the node's own page pass the guards unchanged", async () => {
  const { call, reached } = rig();
  // curl -d: no browser headers, a form content type on a JSON body
  let res = await call("/api/chat", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: '{"model":"m","messages":[]}',
  });
  assert.equal(res.status, 200);
  // a script labelling its JSON
  res = await call("/api/conversations", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: "{}",
  });
  assert.equal(res.status, 200);
  // text/plain is refused even from a program (415), before any handler runs
  res = await call("/api/conversations", { method: "POST", body: "{}" });
  assert.equal(res.status, 415);
  // the page: same origin
  res = await call("/api/settings", {
    method: "PATCH",
    headers: { origin: NODE, "sec-fetch-site": "same-origin", "content-type": "application/json" },
    body: "{}",
  });
  assert.equal(res.status, 200);
  // a page action without a body
  res = await call("/api/token/rotate", {
    method: "POST",
    headers: { origin: NODE, "sec-fetch-site": "same-origin" },
  });
  assert.equal(res.status, 200);
  // reads stay open to any page (their answers are not readable cross-origin)
  res = await call("/api/status", { headers: { "sec-fetch-site": "cross-site" } });
  assert.equal(res.status, 200);
  assert.equal(reached.length, 5);
});

Deno.test("the own page may not send JSON labelled as text or a form (415)", async () => {
  const { call, reached } = rig();
  const own = { origin: NODE, "sec-fetch-site": "same-origin" };
  for (
    const type of [
      "text/plain",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x",
    ]
  ) {
    const res = await call("/api/conversations", {
      method: "POST",
      headers: { ...own, "content-type": type },
      body: "{}",
    });
    assert.equal(res.status, 415, type);
    assert.match((await res.json()).error, /application\/json/);
  }
  assert.deepEqual(reached, []);
});

Deno.test("an allowed origin is served with CORS, including its preflight", async () => {
  const { call, reached } = rig();
  const preflight = await call("/api/chat", {
    method: "OPTIONS",
    headers: {
      origin: ALLOWED,
      "access-control-request-method": "POST",
      "access-control-request-headers": "content-type,authorization",
    },
  });
  assert.equal(preflight.status, 204);
  assert.equal(preflight.headers.get("access-control-allow-origin"), ALLOWED);
  assert.match(preflight.headers.get("access-control-allow-methods") ?? "", /POST/);
  assert.match(preflight.headers.get("access-control-allow-headers") ?? "", /content-type/);
  const res = await call(
    "/api/chat",
    json({}, { origin: ALLOWED, "sec-fetch-site": "cross-site" }),
  );
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("access-control-allow-origin"), ALLOWED);
  assert.match(res.headers.get("access-control-expose-headers") ?? "", /X-NeuroMesh-Host/);
  assert.deepEqual(reached, ["POST /api/chat"]);
});

Deno.test("other origins get no CORS answers and their preflights are refused", async () => {
  const { call } = rig();
  const preflight = await call("/api/chat", {
    method: "OPTIONS",
    headers: { origin: "http://evil.test", "access-control-request-method": "POST" },
  });
  assert.equal(preflight.status, 403);
  assert.equal(preflight.headers.get("access-control-allow-origin"), null);
  const read = await call("/api/status", { headers: { origin: "http://evil.test" } });
  assert.equal(read.status, 200);
  assert.equal(read.headers.get("access-control-allow-origin"), null);
});

Deno.test("bodies over the route's limit get 413, declared or chunked, before the route", async () => {
  const { call, reached } = rig();
  let res = await call("/api/settings", {
    method: "PATCH",
    headers: { "content-type": "application/json", "content-length": "1001" },
    body: "x".repeat(1001),
  });
  assert.equal(res.status, 413);
  assert.match((await res.json()).error, /larger than 1000 bytes.*--max-body-bytes/);
  assert.equal(res.headers.get("connection"), "close");
  // The chat route has the larger limit.
  res = await call("/api/conversations/c1/messages", json({ content: "y".repeat(3000) }));
  assert.equal(res.status, 200);
  // A chunked body (no Content-Length) is counted while it is read.
  const chunked = (bytes: number) =>
    new ReadableStream<Uint8Array>({
      start(controller) {
        for (let sent = 0; sent < bytes; sent += 500) controller.enqueue(new Uint8Array(500));
        controller.close();
      },
    });
  res = await call("/api/chat", {
    method: "POST",
    headers: { "content-type": "application/json", "transfer-encoding": "chunked" },
    body: chunked(6000),
  });
  assert.equal(res.status, 413);
  assert.match(
    (await res.json()).error,
    /larger than 5000 bytes, the limit for \/api\/chat.*--max-chat-body-bytes/,
  );
  res = await call("/api/chat", {
    method: "POST",
    headers: { "content-type": "application/json", "transfer-encoding": "chunked" },
    body: chunked(4500),
  });
  assert.equal(res.status, 200);
  assert.equal((await res.json()).bytes, 4500);
  assert.deepEqual(reached, ["POST /api/conversations/c1/messages", "POST /api/chat"]);
});

Deno.test("an oversized body is refused 413 whatever type it claims, before any handler", async () => {
  const { call, reached } = rig();
  for (const type of ["text/plain", "application/json", "application/x-www-form-urlencoded"]) {
    const res = await call("/api/chat", {
      method: "POST",
      headers: { "content-type": type, "content-length": "6000" },
      body: "x".repeat(6000),
    });
    assert.equal(res.status, 413, type);
    await res.body?.cancel();
  }
  assert.deepEqual(reached, []);
});
