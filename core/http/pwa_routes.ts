import { type Context, Hono } from "hono";
import * as embedded from "../../assets/pwa_bundle.ts";
import { mathEtag, mathJs } from "../../assets/math_bundle.ts";
import { etagMatches } from "./ui_routes.ts";

/** The installable page's files (see build/build_pwa.ts); injectable for tests. */
export interface PwaAssets {
  manifest: string;
  manifestEtag: string;
  serviceWorker: string;
  serviceWorkerEtag: string;
  icons: Record<string, { type: string; base64: string; etag: string }>;
  /** KaTeX, imported by the page when an answer first holds maths (build/build_math.ts). */
  mathJs: string;
  mathEtag: string;
}

/**
 * `/manifest.webmanifest`, `/sw.js` and `/icons/<name>`: what makes the page installable and
 * able to open when the node cannot be reached; and `/assets/math.js`, the maths renderer the page
 * loads on demand. The service worker is always revalidated
 * (`no-cache`), so a new version reaches browsers at their next visit.
 */
export function pwaRoutes(assets: PwaAssets = { ...embedded, mathJs, mathEtag }): Hono {
  const app = new Hono();
  const decoded = new Map(
    Object.entries(assets.icons).map(([name, icon]) => [name, Uint8Array.fromBase64(icon.base64)]),
  );

  const send = (
    c: Context,
    body: string | Uint8Array<ArrayBuffer>,
    type: string,
    tag: string,
    cacheControl: string,
  ) => {
    const headers = {
      "etag": `"${tag}"`,
      "cache-control": cacheControl,
      "x-content-type-options": "nosniff",
    };
    if (etagMatches(c.req.header("if-none-match"), `"${tag}"`)) return c.body(null, 304, headers);
    return c.body(body, 200, { ...headers, "content-type": type });
  };

  app.get(
    "/manifest.webmanifest",
    (c) => send(c, assets.manifest, "application/manifest+json", assets.manifestEtag, "no-cache"),
  );
  app.get(
    "/sw.js",
    (c) =>
      send(
        c,
        assets.serviceWorker,
        "text/javascript; charset=utf-8",
        assets.serviceWorkerEtag,
        "no-cache",
      ),
  );
  app.get(
    "/assets/math.js",
    (c) => send(c, assets.mathJs, "text/javascript; charset=utf-8", assets.mathEtag, "no-cache"),
  );
  app.get("/icons/:name", async (c, next) => {
    const name = c.req.param("name");
    const icon = assets.icons[name];
    const bytes = decoded.get(name);
    if (!icon || !bytes) return await next();
    return send(c, bytes, icon.type, icon.etag, "public, max-age=86400");
  });
  return app;
}
