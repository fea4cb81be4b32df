import assert from "node:assert/strict";
import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import { createLogger } from "../log/logger.ts";
import { OriginAllowList } from "../net/origin.ts";
import { Pairings } from "../security/pairing.ts";
import { memoryPrivateFile } from "../security/private_file.ts";
import { createApp } from "./app.ts";
import { TOKEN_COOKIE } from "./auth.ts";
import { pairingRoutes } from "./pairing_routes.ts";
import { requestGuards } from "./request_guards.ts";

const NODE = "http://10.0.0.5:8080";
const API_TOKEN = "the-api-token-0123456789";
const LAN = { remoteAddr: { transport: "tcp", hostname: "10.0.0.9", port: 50000 } };
const LOCAL_PAGE = "http://127.0.0.1:8080";
const LOCAL = { remoteAddr: { transport: "tcp", hostname: "127.0.0.1", port: 50000 } };
/** What Chromium adds to a navigation the person started (typed, scanned, bookmarked). */
const TYPED = { "sec-fetch-site": "none", "sec-fetch-mode": "navigate" };

/** The node's guards and pairing routes, with a page route and a live stream to reach. */
function rig(addresses = [NODE]) {
  const pairings = new Pairings(memoryPrivateFile());
  const routes = new Hono();
  routes.get("/", (c) => c.html("the page"));
  routes.get("/api/status", (c) => c.json({ ok: true }));
  routes.get("/manifest.webmanifest", (c) => c.json({ name: "NeuroMesh" }));
  routes.get("/api/events", (c) =>
    streamSSE(c, async (stream) => {
      for (let i = 0; i < 50 && !stream.aborted; i++) {
        await stream.writeSSE({ data: String(i) });
        await stream.sleep(20);
      }
    }));
  const app = createApp([
    requestGuards({
      allowedOrigins: new OriginAllowList([]),
      tokens: { verify: (t) => Promise.resolve(t === API_TOKEN) },
      limits: { maxBodyBytes: 1000, maxChatBodyBytes: 5000 },
      pairings,
    }),
    pairingRoutes({ pairings, addresses: () => addresses }),
    routes,
  ], createLogger("error"));
  /** A browser or client on the LAN. */
  const call = (path: string, init: RequestInit = {}) => app.request(`${NODE}${path}`, init, LAN);
  /** The node's own page or a program on the machine itself. */
  const local = (path: string, init: RequestInit = {}) =>
    app.request(`${LOCAL_PAGE}${path}`, init, LOCAL);
  return { call, local, pairings };
}

Deno.test("a pairing link opened once lets that browser in with a cookie of its own", async () => {
  const { call, local } = rig();
  const created = await local("/api/pairing", {
    method: "POST",
    headers: { origin: LOCAL_PAGE, "sec-fetch-site": "same-origin" },
  });
  assert.equal(created.status, 201);
  const link = await created.json();
  assert.match(link.url, /^http:\/\/10\.0\.0\.5:8080\/pair\/[A-Za-z0-9_-]{43}$/);
  const path = new URL(link.url).pathname;

  assert.equal((await call("/api/status")).status, 401, "a phone without pairing is refused");
  const opened = await call(path, { headers: TYPED });
  assert.equal(opened.status, 303);
  assert.equal(opened.headers.get("location"), "/");
  const cookie = opened.headers.get("set-cookie") ?? "";
  assert.match(cookie, new RegExp(`^${TOKEN_COOKIE}=[A-Za-z0-9_-]{43};`));
  assert.match(cookie, /HttpOnly/);
  assert.match(cookie, /SameSite=Strict/);
  const deviceCookie = cookie.split(";")[0];
  assert.ok(!deviceCookie.includes(path.slice(6)), "the cookie is not the link's code");

  const page = await call("/", { headers: { cookie: deviceCookie } });
  assert.equal(page.status, 200);
  assert.equal((await call("/api/status", { headers: { cookie: deviceCookie } })).status, 200);

  const again = await call(path, { headers: TYPED });
  assert.equal(again.status, 410, "the link works once");
  assert.match(await again.text(), /does not work any more/);
});

Deno.test("a pairing link is refused when another site navigates to it", async () => {
  const { call, pairings } = rig();
  const link = await pairings.createLink();
  for (const site of ["cross-site", "same-site"]) {
    const res = await call(`/pair/${link.code}`, { headers: { "sec-fetch-site": site } });
    assert.equal(res.status, 403, site);
    assert.equal(res.headers.get("set-cookie"), null);
  }
  // Not spent by the refused attempts: the person can still open it.
  assert.equal((await call(`/pair/${link.code}`, { headers: TYPED })).status, 303);
});

Deno.test("a web page on another origin cannot make or revoke pairing links", async () => {
  const { call, local, pairings } = rig();
  const hostile = { origin: "http://10.0.0.66:8000", "sec-fetch-site": "cross-site" };
  const made = await local("/api/pairing", { method: "POST", headers: hostile });
  assert.equal(made.status, 403);
  const link = await pairings.createLink();
  const revoke = await local(`/api/pairing/${link.id}`, { method: "DELETE", headers: hostile });
  assert.equal(revoke.status, 403);
  assert.equal((await pairings.list()).length, 1, "nothing changed");
  // A LAN client without the token cannot make one either.
  assert.equal((await call("/api/pairing", { method: "POST" })).status, 401);
});

Deno.test("revoking a paired device refuses it at once and cuts its open stream", async () => {
  const { call, local, pairings } = rig();
  const link = await pairings.createLink();
  const opened = await call(`/pair/${link.code}`, { headers: TYPED });
  const cookie = (opened.headers.get("set-cookie") ?? "").split(";")[0];

  const events = await call("/api/events", { headers: { cookie } });
  assert.equal(events.status, 200);
  const reader = events.body!.getReader();
  assert.match(new TextDecoder().decode((await reader.read()).value), /data: 0/);

  const list = await (await local("/api/pairing")).json();
  assert.deepEqual(list.entries.map((e: { state: string }) => e.state), ["paired"]);
  assert.equal(list.thisDevice, null, "the node's own page is no paired device");
  const seen = await (await call("/api/pairing", { headers: { cookie } })).json();
  assert.equal(seen.thisDevice, link.id, "the phone learns it is the paired device");
  const revoked = await local(`/api/pairing/${link.id}`, {
    method: "DELETE",
    headers: { origin: LOCAL_PAGE },
  });
  assert.equal(revoked.status, 204);
  await assert.rejects(async () => {
    while (!(await reader.read()).done) { /* drain until cut */ }
  }, /revoked/);
  assert.equal((await call("/api/status", { headers: { cookie } })).status, 401);
  assert.equal((await local(`/api/pairing/${link.id}`, { method: "DELETE" })).status, 404);
});

Deno.test("pairing on a loopback-only node says how to reach it from a phone", async () => {
  const { local } = rig([]);
  const view = await (await local("/api/pairing")).json();
  assert.deepEqual(view, { reachable: false, addresses: [], entries: [], thisDevice: null });
  const res = await local("/api/pairing", { method: "POST" });
  assert.equal(res.status, 409);
  assert.match((await res.json()).error, /--http-host 0\.0\.0\.0/);
});

Deno.test("the link names the address the page asked for, if it is one of the node's", async () => {
  const { local } = rig([NODE, "http://192.168.1.4:8080"]);
  const post = (body: unknown) =>
    local("/api/pairing", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  const chosen = await (await post({ address: "http://192.168.1.4:8080" })).json();
  assert.match(chosen.url, /^http:\/\/192\.168\.1\.4:8080\/pair\//);
  assert.equal((await post({ address: "http://evil.example" })).status, 400);
});

Deno.test("the installable page's files need no token; the API still does", async () => {
  const { call } = rig();
  assert.equal((await call("/manifest.webmanifest")).status, 200);
  assert.equal((await call("/api/status")).status, 401);
  const withToken = await call("/api/status", {
    headers: { authorization: `Bearer ${API_TOKEN}` },
  });
  assert.equal(withToken.status, 200);
});
