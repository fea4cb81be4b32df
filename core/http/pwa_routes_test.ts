import assert from "node:assert/strict";
import { pwaRoutes } from "./pwa_routes.ts";

Deno.test("pwaRoutes() serves the manifest, service worker and icons with their types", async () => {
  const app = pwaRoutes();
  const manifest = await app.request("/manifest.webmanifest");
  assert.equal(manifest.headers.get("content-type"), "application/manifest+json");
  assert.equal((await manifest.json()).name, "NeuroMesh");

  const sw = await app.request("/sw.js");
  assert.equal(sw.headers.get("content-type"), "text/javascript; charset=utf-8");
  assert.equal(sw.headers.get("cache-control"), "no-cache");
  assert.match(await sw.text(), /addEventListener\("fetch"/);

  const png = await app.request("/icons/icon-192.png");
  assert.equal(png.headers.get("content-type"), "image/png");
  const bytes = new Uint8Array(await png.arrayBuffer());
  assert.deepEqual([...bytes.slice(1, 4)], [0x50, 0x4e, 0x47], "PNG signature");
  assert.equal((await app.request("/icons/icon.svg")).headers.get("content-type"), "image/svg+xml");
  assert.equal((await app.request("/icons/nope.png")).status, 404);
  const maths = await app.request("/assets/math.js");
  assert.equal(maths.headers.get("content-type"), "text/javascript; charset=utf-8");
  assert.match(await maths.text(), /renderToString/);
});

Deno.test("pwaRoutes() answers 304 to a matching If-None-Match", async () => {
  const app = pwaRoutes();
  const first = await app.request("/sw.js");
  const etag = first.headers.get("etag")!;
  const again = await app.request("/sw.js", { headers: { "if-none-match": etag } });
  assert.equal(again.status, 304);
});
