import { type Context, Hono } from "hono";
import { type AssetSource, etagMatches, loadOnce } from "./ui_routes.ts";

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
 * The files built into the program, imported on their first request like the page
 * (ui_routes.ts): KaTeX alone is 280 KB of script text a node that is never opened does not hold.
 */
export const embeddedPwaAssets = async (): Promise<PwaAssets> => {
  const [pwa, math] = await Promise.all([
    import("../../assets/pwa_bundle.ts"),
    import("../../assets/math_bundle.ts"),
  ]);
  return { ...pwa, mathJs: math.mathJs, mathEtag: math.mathEtag };
};

/**
 * `/manifest.webmanifest`, `/sw.js` and `/icons/<name>`: what makes the page installable and
 * able to open when the node cannot be reached; and `/assets/math.js`, the maths renderer the page
 * loads on demand. The service worker is always revalidated
 * (`no-cache`), so a new version reaches browsers at their next visit.
 */
export function pwaRoutes(source: AssetSource<PwaAssets> = embeddedPwaAssets): Hono {
  const app = new Hono();
  const assetsOnce = loadOnce(source);
  // Icons are decoded once, with the first load.
  const load = loadOnce(async () => {
    const assets = await assetsOnce();
    const icons = Object.entries(assets.icons);
    const decoded = new Map(
      icons.map(([name, icon]) => [name, Uint8Array.fromBase64(icon.base64)]),
    );
    return { assets, decoded };
  });

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

  app.get("/manifest.webmanifest", async (c) => {
    const { assets } = await load();
    return send(c, assets.manifest, "application/manifest+json", assets.manifestEtag, "no-cache");
  });
  app.get("/sw.js", async (c) => {
    const { assets } = await load();
    return send(
      c,
      assets.serviceWorker,
      "text/javascript; charset=utf-8",
      assets.serviceWorkerEtag,
      "no-cache",
    );
  });
  app.get("/assets/math.js", async (c) => {
    const { assets } = await load();
    return send(c, assets.mathJs, "text/javascript; charset=utf-8", assets.mathEtag, "no-cache");
  });
  app.get("/icons/:name", async (c, next) => {
    const { assets, decoded } = await load();
    const name = c.req.param("name");
    const icon = assets.icons[name];
    const bytes = decoded.get(name);
    if (!icon || !bytes) return await next();
    return send(c, bytes, icon.type, icon.etag, "public, max-age=86400");
  });
  return app;
}
