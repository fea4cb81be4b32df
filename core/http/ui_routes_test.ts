import assert from "node:assert/strict";
import { Hono } from "hono";
import { etagMatches, isPagePath, uiRoutes } from "./ui_routes.ts";

const assets = {
  html: '<!doctype html><script type="module" src="/assets/app.js?v=abc123def456"></script>',
  js: "console.log('hi')",
  css: "body{margin:0}",
  etag: "abc123def4567890",
};

/** The UI mounted the way main.ts mounts it: after the API routes, with a JSON 404. */
function appWithApi() {
  const app = new Hono();
  app.get("/api/status", (c) => c.json({ ok: true }));
  app.route("/", uiRoutes(assets));
  app.notFound((c) => c.json({ error: "not found" }, 404));
  return app;
}

Deno.test("uiRoutes() serves the page at / with no-cache, an ETag and a CSP", async () => {
  const response = await appWithApi().request("/");
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("content-type"), "text/html; charset=utf-8");
  assert.equal(response.headers.get("cache-control"), "no-cache");
  assert.equal(response.headers.get("etag"), `"${assets.etag}-html"`);
  assert.match(response.headers.get("content-security-policy") ?? "", /script-src 'self'/);
  assert.equal(await response.text(), assets.html);
});

Deno.test("uiRoutes() serves the script and style with their types", async () => {
  const app = appWithApi();
  const js = await app.request("/assets/app.js");
  assert.equal(js.headers.get("content-type"), "text/javascript; charset=utf-8");
  assert.equal(await js.text(), assets.js);
  const css = await app.request("/assets/app.css");
  assert.equal(css.headers.get("content-type"), "text/css; charset=utf-8");
  assert.equal(await css.text(), assets.css);
});

Deno.test("uiRoutes() lets browsers keep a versioned asset and revalidate an unversioned one", async () => {
  const app = appWithApi();
  const versioned = await app.request("/assets/app.js?v=abc123def456");
  assert.equal(versioned.headers.get("cache-control"), "public, max-age=31536000, immutable");
  await versioned.body?.cancel();
  const stale = await app.request("/assets/app.js?v=000000000000");
  assert.equal(stale.headers.get("cache-control"), "no-cache");
  await stale.body?.cancel();
});

Deno.test("uiRoutes() answers 304 without a body when If-None-Match matches", async () => {
  const app = appWithApi();
  const first = await app.request("/assets/app.css");
  const etag = first.headers.get("etag")!;
  await first.body?.cancel();
  const second = await app.request("/assets/app.css", {
    headers: { "if-none-match": `W/${etag}` },
  });
  assert.equal(second.status, 304);
  assert.equal(second.headers.get("etag"), etag);
  assert.equal(await second.text(), "");
  const other = await app.request("/assets/app.css", { headers: { "if-none-match": '"other"' } });
  assert.equal(other.status, 200);
  await other.body?.cancel();
});

Deno.test("uiRoutes() answers client-side routes with the page but leaves APIs and files alone", async () => {
  const app = appWithApi();
  for (const path of ["/c/abc-123", "/peers", "/settings"]) {
    const response = await app.request(path);
    assert.equal(response.status, 200, path);
    assert.equal(await response.text(), assets.html, path);
  }
  const api = await app.request("/api/status");
  assert.deepEqual(await api.json(), { ok: true });
  for (const path of ["/api/nope", "/v1/models", "/assets/other.js", "/robots.txt"]) {
    const response = await app.request(path);
    assert.equal(response.status, 404, path);
    assert.deepEqual(await response.json(), { error: "not found" }, path);
  }
});

Deno.test("isPagePath() excludes /api, /v1, /assets and file names", () => {
  assert.equal(isPagePath("/"), true);
  assert.equal(isPagePath("/c/x"), true);
  assert.equal(isPagePath("/c/imported.from.a.file"), true, "conversation ids may contain dots");
  assert.equal(isPagePath("/api"), false);
  assert.equal(isPagePath("/api/tags"), false);
  assert.equal(isPagePath("/v1/chat/completions"), false);
  assert.equal(isPagePath("/favicon.ico"), false);
  assert.equal(isPagePath("/apiary"), true);
});

Deno.test("etagMatches() accepts lists, weak tags and *", () => {
  assert.equal(etagMatches('"a", W/"b"', '"b"'), true);
  assert.equal(etagMatches("*", '"x"'), true);
  assert.equal(etagMatches('"a"', '"b"'), false);
  assert.equal(etagMatches(undefined, '"b"'), false);
});

Deno.test("uiRoutes() serves the embedded bundle by default", async () => {
  const response = await uiRoutes().request("/");
  const html = await response.text();
  assert.match(html, /<div id="app"><\/div>/);
  const script = html.match(/src="(\/assets\/app\.js\?v=[0-9a-f]+)"/)?.[1];
  assert.ok(script, "page references its versioned script");
  const js = await uiRoutes().request(script);
  assert.equal(js.headers.get("cache-control"), "public, max-age=31536000, immutable");
  assert.ok((await js.text()).length > 1000);
});

Deno.test("uiRoutes() loads the assets on the first page request, once", async () => {
  let loads = 0;
  const app = new Hono();
  app.get("/api/status", (c) => c.json({ ok: true }));
  app.route("/", uiRoutes(() => (loads++, Promise.resolve(assets))));
  await (await app.request("/api/status")).body?.cancel();
  assert.equal(loads, 0);
  const [page, js] = await Promise.all([app.request("/"), app.request("/assets/app.js")]);
  assert.equal(await page.text(), assets.html);
  assert.equal(await js.text(), assets.js);
  assert.equal(loads, 1);
});
