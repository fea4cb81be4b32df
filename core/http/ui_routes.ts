import { Hono } from "hono";
import type { Context } from "hono";
import * as embedded from "../../assets/ui_bundle.ts";

/** The built page (see build/build_ui.ts); injectable so tests need no real bundle. */
export interface UiAssets {
  html: string;
  js: string;
  css: string;
  etag: string;
}

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

/** Serves the chat page and its script and style from the embedded bundle, with ETag/304. */
export function uiRoutes(assets: UiAssets = embedded): Hono {
  const app = new Hono();
  const version = assets.etag.slice(0, 12);

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
  const assetCache = (c: Context) =>
    c.req.query("v") === version ? "public, max-age=31536000, immutable" : "no-cache";
  const page = (c: Context) =>
    send(c, assets.html, "text/html; charset=utf-8", `${assets.etag}-html`, "no-cache");

  app.get(
    "/assets/app.js",
    (c) => send(c, assets.js, "text/javascript; charset=utf-8", `${assets.etag}-js`, assetCache(c)),
  );
  app.get(
    "/assets/app.css",
    (c) => send(c, assets.css, "text/css; charset=utf-8", `${assets.etag}-css`, assetCache(c)),
  );
  app.get("/", page);
  app.get("*", async (c, next) => {
    if (isPagePath(c.req.path)) return page(c);
    await next();
  });
  return app;
}
