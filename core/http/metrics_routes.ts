import { Hono } from "hono";
import { PROMETHEUS_CONTENT_TYPE } from "../metrics/registry.ts";

/** `GET /metrics`: the node's metrics in the Prometheus text format (docs/llm.md, "Metrics"). */
export function metricsRoutes(deps: { render: () => string }): Hono {
  const app = new Hono();
  app.get(
    "/metrics",
    (c) => c.body(deps.render(), 200, { "Content-Type": PROMETHEUS_CONTENT_TYPE }),
  );
  return app;
}
