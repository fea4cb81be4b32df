import type { Context, MiddlewareHandler } from "hono";
import type { OriginAllowList } from "../net/origin.ts";
import { judgeOrigin, type RequestFacts } from "./origin_policy.ts";

/** The facts core/http/origin_policy.ts decides on, read from a request. */
export function requestFacts(c: Context): RequestFacts {
  return {
    method: c.req.method,
    path: c.req.path,
    host: new URL(c.req.url).host,
    origin: c.req.header("origin"),
    secFetchSite: c.req.header("sec-fetch-site"),
    secFetchMode: c.req.header("sec-fetch-mode"),
  };
}

/**
 * Refuses, with 403 and a one-line reason, what a web page on another origin asks of the node
 * (see judgeOrigin); `onRefused` hears each refusal (for the log).
 */
export function originGuard(
  allowed: OriginAllowList,
  onRefused: (reason: string) => void = () => {},
): MiddlewareHandler {
  return async function originGuardMiddleware(c, next) {
    const verdict = judgeOrigin(requestFacts(c), allowed);
    if (verdict.allow) return await next();
    onRefused(verdict.reason);
    return c.json({ error: verdict.reason }, 403);
  };
}
