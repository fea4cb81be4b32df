/**
 * What a paired device (a phone paired by a one-time link) may do: use the page and the API,
 * but not grant or change access — no new pairing links, no revoking, no API token, no node
 * settings, no peer approvals — so revoking a stolen phone ends everything it could reach.
 */
import assert from "node:assert/strict";
import { Hono } from "hono";
import { createLogger } from "../log/logger.ts";
import { OriginAllowList } from "../net/origin.ts";
import { Pairings } from "../security/pairing.ts";
import { memoryPrivateFile } from "../security/private_file.ts";
import { createApp } from "./app.ts";
import { pairingRoutes } from "./pairing_routes.ts";
import { requestGuards } from "./request_guards.ts";

const NODE = "http://10.0.0.5:8080";
const API_TOKEN = "the-api-token-0123456789";
const LAN = { remoteAddr: { transport: "tcp", hostname: "10.0.0.9", port: 50000 } };
const TYPED = { "sec-fetch-site": "none", "sec-fetch-mode": "navigate" };

async function pairedPhone() {
  const pairings = new Pairings(memoryPrivateFile());
  const routes = new Hono();
  const reached: string[] = [];
  const stub = (c: { req: { method: string; path: string }; json: (v: unknown) => Response }) => {
    reached.push(`${c.req.method} ${c.req.path}`);
    return c.json({ ok: true });
  };
  routes.get("/api/status", stub);
  routes.get("/api/settings", stub);
  routes.patch("/api/settings", stub);
  routes.post("/api/token/rotate", stub);
  routes.post("/api/peers/:id/:action", stub);
  routes.post("/api/conversations", stub);
  routes.post("/api/chat", stub);
  const app = createApp([
    requestGuards({
      allowedOrigins: new OriginAllowList([]),
      tokens: { verify: (t) => Promise.resolve(t === API_TOKEN) },
      limits: { maxBodyBytes: 1000, maxChatBodyBytes: 5000 },
      pairings,
    }),
    pairingRoutes({ pairings, addresses: () => [NODE] }),
    routes,
  ], createLogger("error"));
  const call = (path: string, init: RequestInit = {}) => app.request(`${NODE}${path}`, init, LAN);
  const withToken = (path: string, init: RequestInit = {}) =>
    call(path, { ...init, headers: { ...init.headers, authorization: `Bearer ${API_TOKEN}` } });
  const link = await (await withToken("/api/pairing", { method: "POST" })).json();
  const opened = await call(new URL(link.url).pathname, { headers: TYPED });
  const cookie = (opened.headers.get("set-cookie") ?? "").split(";")[0];
  assert.ok(cookie, "the phone is paired");
  const asPhone = (path: string, init: RequestInit = {}) =>
    call(path, { ...init, headers: { ...init.headers, cookie } });
  return { asPhone, withToken, call, reached, pairings, cookie };
}

const json = (method: string, body: unknown): RequestInit => ({
  method,
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});

Deno.test("a paired device chats and reads, but cannot grant or change access", async () => {
  const { asPhone, withToken, reached } = await pairedPhone();
  assert.equal((await asPhone("/api/status")).status, 200);
  assert.equal((await asPhone("/api/settings")).status, 200);
  assert.equal((await asPhone("/api/pairing")).status, 200, "it may see who is paired");
  assert.equal((await asPhone("/api/conversations", json("POST", {}))).status, 200);
  assert.equal((await asPhone("/api/chat", json("POST", {}))).status, 200);

  const other = await (await withToken("/api/pairing", { method: "POST" })).json();
  const refused: [string, RequestInit][] = [
    ["/api/pairing", { method: "POST" }],
    ["/api/%70airing", { method: "POST" }], // percent-encoded: the guard sees what routes see
    ["/api/x/../pairing", { method: "POST" }],
    [`/api/pairing/${other.id}`, { method: "DELETE" }],
    ["/api/token/rotate", { method: "POST" }],
    ["/api/settings", json("PATCH", { ollamaUrl: "http://169.254.169.254/" })],
    ["/api/peers/ABCDEFGHIJKLMNOPQRSTUVWXYZ234567/approve", { method: "POST" }],
  ];
  for (const [path, init] of refused) {
    reached.length = 0;
    const res = await asPhone(path, init);
    assert.equal(res.status, 403, `${init.method} ${path}`);
    assert.match((await res.json()).error, /paired device/);
    assert.deepEqual(reached, [], `${init.method} ${path} never reaches its route`);
  }
  // The other link was not revoked by the phone; the API token still does all of it.
  assert.equal((await withToken(`/api/pairing/${other.id}`, { method: "DELETE" })).status, 204);
  assert.equal((await withToken("/api/token/rotate", { method: "POST" })).status, 200);
});

Deno.test("guessing pairing codes finds nothing and does not spend the real link", async () => {
  const { withToken, call } = await pairedPhone();
  const link = await (await withToken("/api/pairing", { method: "POST" })).json();
  const code = new URL(link.url).pathname.slice("/pair/".length);
  // 256 bits from the system's random source: the code is 43 base64url characters.
  assert.match(code, /^[A-Za-z0-9_-]{43}$/);
  for (let i = 0; i < 300; i++) {
    const guess = crypto.getRandomValues(new Uint8Array(32)).toBase64({
      alphabet: "base64url",
      omitPadding: true,
    });
    assert.equal((await call(`/pair/${guess}`, { headers: TYPED })).status, 410);
  }
  assert.equal((await call(`/pair/${code}`, { headers: TYPED })).status, 303);
  assert.equal((await call(`/pair/${code}`, { headers: TYPED })).status, 410, "used once");
});

Deno.test("the device cookie is HttpOnly and SameSite=Strict, and Secure when the page is reached over HTTPS", async () => {
  const { withToken, call } = await pairedPhone();
  for (
    const [headers, secure] of [[{}, false], [{ "x-forwarded-proto": "https" }, true]] as const
  ) {
    const link = await (await withToken("/api/pairing", { method: "POST" })).json();
    const opened = await call(new URL(link.url).pathname, { headers: { ...TYPED, ...headers } });
    const cookie = opened.headers.get("set-cookie") ?? "";
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
    assert.equal(/;\s*Secure/i.test(cookie), secure, cookie);
  }
});
