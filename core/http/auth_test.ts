import assert from "node:assert/strict";
import { Hono } from "hono";
import { apiAuth, denoRemoteAddress, TOKEN_COOKIE } from "./auth.ts";

const TOKEN = "the-right-token-0123456789";
const tokens = { verify: (t: string) => Promise.resolve(t === TOKEN) };

function app() {
  const hono = new Hono();
  hono.use("*", apiAuth(tokens));
  hono.get("/api/status", (c) => c.json({ ok: true }));
  hono.get("/", (c) => c.text("page"));
  return hono;
}

const from = (hostname: string) => ({ remoteAddr: { transport: "tcp", hostname, port: 50000 } });
const unix = { remoteAddr: { transport: "unix", path: "/tmp/s.sock" } };

Deno.test("apiAuth() lets loopback and the unix socket in without a token", async () => {
  const res1 = await app().request("http://127.0.0.1:8080/api/status", {}, from("127.0.0.1"));
  assert.equal(res1.status, 200);
  const res2 = await app().request("http://localhost/api/status", {}, from("::1"));
  assert.equal(res2.status, 200);
  const res3 = await app().request("http://whatever/api/status", {}, unix);
  assert.equal(res3.status, 200);
});

Deno.test("apiAuth() asks for the token on loopback under a foreign Host (DNS rebinding)", async () => {
  const res = await app().request("http://evil.example:8080/api/status", {}, from("127.0.0.1"));
  assert.equal(res.status, 401);
});

Deno.test("apiAuth() asks a LAN client for the token and accepts the bearer token", async () => {
  const refused = await app().request("http://10.0.0.5:8080/api/status", {}, from("10.0.0.9"));
  assert.equal(refused.status, 401);
  assert.match((await refused.json()).error, /needs its API token/);
  const wrong = await app().request("http://10.0.0.5:8080/api/status", {
    headers: { authorization: "Bearer nope" },
  }, from("10.0.0.9"));
  assert.equal(wrong.status, 401);
  const ok = await app().request("http://10.0.0.5:8080/api/status", {
    headers: { authorization: `Bearer ${TOKEN}` },
  }, from("10.0.0.9"));
  assert.equal(ok.status, 200);
});

Deno.test("apiAuth() turns ?token= into a cookie and redirects without it", async () => {
  const res = await app().request(`http://10.0.0.5:8080/?token=${TOKEN}&x=1`, {}, from("10.0.0.9"));
  assert.equal(res.status, 303);
  assert.equal(res.headers.get("location"), "/?x=1");
  const cookie = res.headers.get("set-cookie") ?? "";
  assert.match(cookie, new RegExp(`^${TOKEN_COOKIE}=${TOKEN};`));
  assert.match(cookie, /HttpOnly/);
  const page = await app().request("http://10.0.0.5:8080/", {
    headers: { cookie: `${TOKEN_COOKIE}=${TOKEN}` },
  }, from("10.0.0.9"));
  assert.equal(page.status, 200);
  const bad = await app().request("http://10.0.0.5:8080/?token=nope", {}, from("10.0.0.9"));
  assert.equal(bad.status, 401);
});

Deno.test("denoRemoteAddress() reads Deno's serve info and unwraps IPv4-mapped addresses", () => {
  const ctx = (env: unknown) => ({ env }) as never;
  assert.equal(denoRemoteAddress(ctx(from("::ffff:10.1.2.3"))), "10.1.2.3");
  assert.equal(denoRemoteAddress(ctx(unix)), null);
  assert.equal(denoRemoteAddress(ctx(undefined)), null);
});
