import { Hono } from "hono";
import { shortId } from "../identity/identity.ts";
import type { TrustMode } from "../security/trust_policy.ts";
import type { SecurityAlert, TrustEntry, TrustStore } from "../security/trust_store.ts";

/** `GET /api/trust`: the trust mode, every known node and recent security alerts. */
export interface TrustView {
  mode: TrustMode;
  meshKeyConfigured: boolean;
  /** True when peer links are plain TCP (`--insecure-plaintext-links`). */
  plaintextLinks: boolean;
  nodes: (TrustEntry & { shortId: string })[];
  /** Newest last: nodes that claimed an id without its key, wrong mesh keys, spoofed addresses. */
  alerts: (SecurityAlert & { shortId: string })[];
}

export interface TrustRoutesDeps {
  trust: TrustStore;
  mode: () => TrustMode;
  meshKeyConfigured: boolean;
  plaintextLinks: boolean;
  /** Called after the user approved a node, or unblocked a trusted one (dial it now). */
  onApproved(nodeId: string): void;
  /** Called after the user blocked a node (close its link). */
  onBlocked(nodeId: string): void;
  /** `POST /api/token/rotate`: a new API token, shown once. */
  rotateToken(): Promise<string>;
  now?: () => number;
}

const NODE_ID = /^[A-Z2-7]{32}$/;

/**
 * Trust decisions from the page: approve or reject a node waiting in approve mode ("Add
 * device?"), block or unblock a node, and rotate the API token. Access to these routes is
 * guarded like the rest of the API (core/http/auth.ts).
 */
export function trustRoutes(deps: TrustRoutesDeps): Hono {
  const app = new Hono();
  const now = deps.now ?? Date.now;

  app.get("/api/trust", (c) => {
    const view: TrustView = {
      mode: deps.mode(),
      meshKeyConfigured: deps.meshKeyConfigured,
      plaintextLinks: deps.plaintextLinks,
      nodes: deps.trust.entries().map((entry) => ({ ...entry, shortId: shortId(entry.nodeId) })),
      alerts: deps.trust.alerts().map((alert) => ({ ...alert, shortId: shortId(alert.nodeId) })),
    };
    return c.json(view);
  });

  app.post("/api/peers/:id/:action{approve|reject|block|unblock}", (c) => {
    const id = c.req.param("id");
    const action = c.req.param("action");
    if (!NODE_ID.test(id)) {
      return c.json(
        { error: `not a node id: ${JSON.stringify(id)} (32 characters A-Z, 2-7)` },
        400,
      );
    }
    const status = deps.trust.status(id);
    switch (action) {
      case "approve":
        deps.trust.setStatus(id, "trusted", now());
        deps.onApproved(id);
        break;
      case "block":
        deps.trust.setStatus(id, "blocked", now());
        deps.onBlocked(id);
        break;
      case "reject":
        if (status !== "pending") {
          return c.json({
            error: `node ${id} is not waiting for approval (${status ?? "unknown"})`,
          }, 409);
        }
        deps.trust.remove(id);
        break;
      case "unblock":
        if (status !== "blocked") {
          return c.json({ error: `node ${id} is not blocked (${status ?? "unknown"})` }, 409);
        }
        // Trusted again as before the block: link with it now rather than at the next redial.
        if (deps.trust.unblock(id) === "trusted") deps.onApproved(id);
        break;
    }
    return c.json({ id, status: deps.trust.status(id) });
  });

  app.post("/api/token/rotate", async (c) => {
    try {
      return c.json({ token: await deps.rotateToken() });
    } catch (error) {
      return c.json({ error: (error as Error).message }, 409);
    }
  });

  return app;
}
