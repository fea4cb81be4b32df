import { Hono } from "hono";
import type { Logger } from "../log/logger.ts";
import { BodyTooLarge } from "./body_limit.ts";

/**
 * The node's HTTP application: the route groups of each concern, mounted in one Hono app.
 * API errors are JSON; unexpected failures are logged as one line and answered 500.
 */
export function createApp(routeGroups: Hono[], logger: Logger): Hono {
  const app = new Hono();
  app.onError((error, c) => {
    // A body cut at its limit while a route read it: the body limit answers 413 (not a failure).
    if (error instanceof BodyTooLarge) return c.json({ error: error.message }, 413);
    logger.error("http handler failed", { path: c.req.path, error });
    return c.json({ error: "internal error" }, 500);
  });
  for (const group of routeGroups) app.route("/", group);
  app.notFound((c) => c.json({ error: `no route for ${c.req.method} ${c.req.path}` }, 404));
  return app;
}
