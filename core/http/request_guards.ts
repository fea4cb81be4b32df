/**
 * Everything a request passes before a route sees it, in order: CORS for allowed origins, the
 * browser-origin guard, a pairing link being opened, API access (token or paired device), the
 * body size limit, the JSON body type.
 */
import { Hono } from "hono";
import type { OriginAllowList } from "../net/origin.ts";
import { allowedOriginsCors } from "./allowed_origins_cors.ts";
import { apiAuth, type RemoteAddressOf, type TokenCheck } from "./auth.ts";
import { cutOnRevoke, pairingLink } from "./pairing_routes.ts";
import type { Pairings } from "../security/pairing.ts";
import { bodyLimit, type BodyLimits } from "./body_limit.ts";
import { jsonBodyType } from "./json_body_type.ts";
import { originGuard } from "./origin_guard.ts";

export interface RequestGuardOptions {
  allowedOrigins: OriginAllowList;
  tokens: TokenCheck;
  limits: BodyLimits;
  remoteAddressOf?: RemoteAddressOf;
  /** Hears each request refused for its origin (for the log). */
  onOriginRefused?: (reason: string) => void;
  /** Phones paired with a one-time link (`/pair/<code>`) and their device tokens. */
  pairings?: Pairings;
}

/** A route group of middleware only; mount it first in createApp(). */
export function requestGuards(options: RequestGuardOptions): Hono {
  const app = new Hono();
  app.use("*", allowedOriginsCors(options.allowedOrigins));
  app.use("*", originGuard(options.allowedOrigins, options.onOriginRefused));
  const pairings = options.pairings;
  if (pairings) app.use("/pair/*", pairingLink(pairings));
  app.use(
    "*",
    apiAuth(
      options.tokens,
      options.remoteAddressOf,
      pairings && {
        deviceOf: (token) => pairings.deviceOf(token),
        guard: (response, id) => cutOnRevoke(response, pairings, id),
      },
    ),
  );
  // Size first: an oversized body is refused 413 whatever it claims to be.
  app.use("*", bodyLimit(options.limits));
  app.use("/api/*", jsonBodyType());
  app.use("/v1/*", jsonBodyType());
  return app;
}
