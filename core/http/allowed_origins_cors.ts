import type { MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
import type { OriginAllowList } from "../net/origin.ts";

/** Headers a web app may read from answers (who served a chat). */
const EXPOSED = ["X-NeuroMesh-Host", "X-NeuroMesh-Host-Name", "X-NeuroMesh-Model"];

/**
 * CORS for the origins of `--allow-origin` only, so such a web app can read the answers (and
 * pass preflights). Other origins get no CORS headers: their pages cannot read anything, and
 * their preflights are refused with 403.
 */
export function allowedOriginsCors(allowed: OriginAllowList): MiddlewareHandler {
  const forAllowed = cors({
    origin: (origin) => (allowed.allows(origin) ? origin : null),
    allowMethods: ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"],
    // Request headers are echoed: SDKs in a browser send their own (x-stainless-*, …).
    exposeHeaders: EXPOSED,
    maxAge: 600,
  });
  return async function allowedOriginsCorsMiddleware(c, next) {
    const origin = c.req.header("origin");
    if (origin === undefined) return await next();
    if (allowed.allows(origin)) return await forAllowed(c, next);
    if (c.req.method === "OPTIONS" && c.req.header("access-control-request-method")) {
      return c.json({
        error: `refused preflight: the web page at ${origin} may not use this node ` +
          "(allow it with --allow-origin)",
      }, 403);
    }
    return await next();
  };
}
