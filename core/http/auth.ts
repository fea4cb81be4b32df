import type { Context, MiddlewareHandler } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { CidrSet } from "../net/cidr.ts";
import { deviceRefusal } from "./device_scope.ts";

/** What the middleware asks of the token store (core/security/api_token.ts). */
export interface TokenCheck {
  verify(token: string): Promise<boolean>;
}

/**
 * Paired devices (core/security/pairing.ts): their own tokens pass too, and the response to a
 * device is handed to `guard`, which cuts its streams when the device is revoked.
 */
/** The context key holding the id of the paired device making a request (absent otherwise). */
export const PAIRED_DEVICE = "pairedDevice";

export interface DeviceCheck {
  deviceOf(token: string): Promise<string | null>;
  guard(response: Response, deviceId: string): Response;
}

/**
 * The installable page's public files: the same for everyone and secret-free, fetched by the
 * browser itself (manifest and icons without cookies), so a phone can install the page.
 */
const PUBLIC_FILES = /^\/(manifest\.webmanifest|sw\.js|icons\/[\w.-]+\.(png|svg))$/;

/** Where a request came from: an IP for TCP, null for the unix socket (file permissions guard it). */
export type RemoteAddressOf = (c: Context) => string | null;

export const TOKEN_COOKIE = "neuromesh_token";
const LOOPBACK = new CidrSet(["127.0.0.0/8", "::1/128"]);
/** Host headers a browser on this machine sends; anything else on loopback is DNS rebinding. */
const LOCAL_HOST = /^(localhost|127(\.\d{1,3}){3}|\[::1\])(:\d{1,5})?$/i;

/**
 * The remote address: Hono's `c.env` is a ServeHandlerInfo (Deno.serve's, or the same shape from
 * core/http/node_fetch_adapter.ts).
 */
export const denoRemoteAddress: RemoteAddressOf = (c) => {
  const addr = (c.env as { remoteAddr?: Deno.Addr } | undefined)?.remoteAddr;
  if (!addr || addr.transport === "unix" || addr.transport === "unixpacket") return null;
  const host = (addr as Deno.NetAddr).hostname;
  return host.startsWith("::ffff:") && host.includes(".") ? host.slice(7) : host;
};

/**
 * API access: requests from loopback (with a local Host name) and the unix socket pass;
 * anyone else needs the API token, as `Authorization: Bearer <token>` (API clients), the
 * `neuromesh_token` cookie (the page), or once as `?token=` on a page address, which sets the
 * cookie and redirects to the address without it.
 */
export function apiAuth(
  tokens: TokenCheck,
  remoteAddressOf: RemoteAddressOf = denoRemoteAddress,
  devices?: DeviceCheck,
): MiddlewareHandler {
  /** Passes a request whose token is a paired device's; false when it is not one. */
  const asDevice = async (c: Context, next: () => Promise<void>, token: string) => {
    const device = await devices?.deviceOf(token);
    if (!device) return false;
    const refusal = deviceRefusal(c.req.method, c.req.path);
    if (refusal !== null) {
      c.res = c.json({ error: refusal }, 403);
      return true;
    }
    c.set(PAIRED_DEVICE, device); // routes may say "this device is paired" (GET /api/pairing)
    await next();
    c.res = devices!.guard(c.res, device);
    return true;
  };
  return async function apiAuthMiddleware(c, next) {
    const remote = remoteAddressOf(c);
    if (remote === null) return await next();
    if (c.req.method === "GET" && PUBLIC_FILES.test(c.req.path)) return await next();
    // Deno.serve builds the request URL from the Host header. A loopback connection naming
    // another host may be a web page using DNS rebinding: it needs the token like the LAN.
    if (LOOPBACK.matches(remote) && LOCAL_HOST.test(new URL(c.req.url).host)) return await next();
    const bearer = c.req.header("authorization")?.match(/^Bearer\s+(\S+)$/i)?.[1];
    if (bearer !== undefined) {
      if (await tokens.verify(bearer)) return await next();
      if (await asDevice(c, next, bearer)) return;
      return unauthorized(c, "wrong API token");
    }
    const query = c.req.query("token");
    if (query !== undefined && c.req.method === "GET") {
      if (!await tokens.verify(query)) return unauthorized(c, "wrong API token");
      setTokenCookie(c, query);
      const url = new URL(c.req.url);
      url.searchParams.delete("token");
      return c.redirect(`${url.pathname}${url.search}`, 303);
    }
    const cookie = getCookie(c, TOKEN_COOKIE);
    if (cookie !== undefined && await tokens.verify(cookie)) return await next();
    if (cookie !== undefined && await asDevice(c, next, cookie)) return;
    return unauthorized(
      c,
      cookie === undefined ? "this node needs its API token" : "wrong API token",
    );
  };
}

/**
 * Sets the page's token cookie (the API token, or a paired device's): HttpOnly, SameSite=Strict,
 * 400 days, and Secure when the page was reached over HTTPS (directly, or through a proxy that
 * says so), so such a browser never sends it over plain http.
 */
export function setTokenCookie(c: Context, token: string): void {
  const https = new URL(c.req.url).protocol === "https:" ||
    c.req.header("x-forwarded-proto")?.split(",")[0].trim().toLowerCase() === "https";
  setCookie(c, TOKEN_COOKIE, token, {
    httpOnly: true,
    sameSite: "Strict",
    path: "/",
    maxAge: 400 * 24 * 3600,
    secure: https,
  });
}

function unauthorized(c: Context, why: string): Response {
  c.header("WWW-Authenticate", 'Bearer realm="neuromesh"');
  return c.json({
    error: `${why}: send "Authorization: Bearer <token>", or open /?token=<token> once in the ` +
      "browser (the token was shown when the node first started; rotate it from this machine " +
      "with POST /api/token/rotate)",
  }, 401);
}
