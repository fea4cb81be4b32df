import { Hono } from "hono";
import type { Context } from "hono";

/** The built page (see build/build_ui.ts); injectable so tests need no real bundle. */
export interface UiAssets {
  html: string;
  js: string;
  css: string;
  etag: string;
}

/**
 * The page built into the program, imported on the first page request: a node that is never
 * opened in a browser (a service, a headless host) does not hold it in memory.
 */
export const embeddedAssets = (): Promise<UiAssets> => import("../../assets/ui_bundle.ts");

/** Paths that belong to the APIs or to files; everything else is a page route of the app. */
const NOT_PAGES = /^\/(api|v1|assets)(\/|$)/;

/** True when a GET for `path` should get the page (client-side routes such as /c/<id>). */
export function isPagePath(path: string): boolean {
  if (NOT_PAGES.test(path)) return false;
  if (/^\/c\/[^/]+\/?$/.test(path)) return true; // a conversation: its id may contain dots
  const last = path.slice(path.lastIndexOf("/") + 1);
  return !last.includes(".");
}

/** True when an If-None-Match header names `etag` (weak or strong) or is `*`. */
export function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(",").some((candidate) => {
    const tag = candidate.trim().replace(/^W\//, "");
    return tag === "*" || tag === etag;
  });
}

// The page runs only its own script: a model's or peer's text can never bring one along.
const PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

/** Built-in files, given as they are or as a loader run on their first request. */
export type AssetSource<T> = T | (() => Promise<T>);

/** Resolves `source` once, on the first call (a loader runs then, never again). */
export function loadOnce<T>(source: AssetSource<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () =>
    loading ??= typeof source === "function"
      ? (source as () => Promise<T>)()
      : Promise.resolve(source);
}

/**
 * Serves the chat page and its script and style from the embedded bundle (or the given assets,
 * or what a loader gives on first use), with ETag/304.
 */
export function uiRoutes(source: AssetSource<UiAssets> = embeddedAssets): Hono {
  const app = new Hono();
  const load = loadOnce(source);

  const send = (c: Context, body: string, type: string, tag: string, cacheControl: string) => {
    const etag = `"${tag}"`;
    const headers: Record<string, string> = {
      "etag": etag,
      "cache-control": cacheControl,
      "x-content-type-options": "nosniff",
    };
    if (type.startsWith("text/html")) {
      headers["content-security-policy"] = PAGE_CSP;
      headers["referrer-policy"] = "no-referrer";
    }
    if (etagMatches(c.req.header("if-none-match"), etag)) {
      return c.body(null, 304, headers);
    }
    return c.body(body, 200, { ...headers, "content-type": type });
  };
  // A versioned URL (?v= from the page) never changes content, so browsers may keep it.
  const assetCache = (c: Context, assets: UiAssets) =>
    c.req.query("v") === assets.etag.slice(0, 12)
      ? "public, max-age=31536000, immutable"
      : "no-cache";
  /** A handler sending one part of the assets, loaded on first use. */
  const serve = (
    part: "html" | "js" | "css",
    type: string,
    cacheControl: (c: Context, assets: UiAssets) => string,
  ) =>
  async (c: Context) => {
    const assets = await load();
    return send(c, assets[part], type, `${assets.etag}-${part}`, cacheControl(c, assets));
  };
  const page = serve("html", "text/html; charset=utf-8", () => "no-cache");

  app.get("/assets/app.js", serve("js", "text/javascript; charset=utf-8", assetCache));
  app.get("/assets/app.css", serve("css", "text/css; charset=utf-8", assetCache));
  app.get("/", page);
  app.get("*", async (c, next) => {
    if (isPagePath(c.req.path)) return page(c);
    await next();
  });
  return app;
}
