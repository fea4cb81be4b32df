import { Hono, type MiddlewareHandler } from "hono";
import type { PairingEntry, Pairings } from "../security/pairing.ts";
import { PAIRED_DEVICE, setTokenCookie } from "./auth.ts";
import { readJson } from "./errors.ts";

/** `GET /api/pairing`: can a phone reach this node, at which addresses, who is paired. */
export interface PairingView {
  /** False when the node listens on loopback only (no other device can reach it). */
  reachable: boolean;
  /** Where other devices open the page, e.g. `http://192.168.1.20:8080`. */
  addresses: string[];
  entries: PairingEntry[];
  /** The paired device asking, when it is one: it may look but not pair or revoke. */
  thisDevice: string | null;
}

/** `POST /api/pairing`: the one-time link (shown once, as a QR code). */
export interface NewPairingView {
  id: string;
  url: string;
  expiresAt: number;
}

export interface PairingRoutesDeps {
  pairings: Pairings;
  /** The page's addresses on the LAN now (interfaces change); empty on loopback only. */
  addresses: () => string[];
}

/** The path of a pairing link: `/pair/<code>`. */
export const PAIR_PATH = /^\/pair\/([A-Za-z0-9_-]{1,128})\/?$/;

/** The page a person sees when a pairing link does not work; no script, no outside request. */
function refusalPage(title: string, text: string): string {
  return `<!doctype html><meta charset="utf-8"><meta name="viewport" ` +
    `content="width=device-width, initial-scale=1"><title>${title}</title>` +
    `<body style="font:16px system-ui,sans-serif;max-width:34em;margin:3em auto;padding:0 1em">` +
    `<h1 style="font-size:1.3em">${title}</h1><p>${text}</p></body>`;
}

/**
 * Opens a pairing link (`GET /pair/<code>`): the code is spent, the browser gets its own device
 * token as the page's HttpOnly cookie, and goes to the page. Runs before the API token check,
 * since the device has no token yet. Only a link the person opened themselves counts (typed,
 * scanned, or from the node's own page): a navigation started by another site is refused, so a
 * web page cannot spend or plant a pairing.
 */
export function pairingLink(pairings: Pairings): MiddlewareHandler {
  return async function pairingLinkMiddleware(c, next) {
    const code = c.req.method === "GET" ? c.req.path.match(PAIR_PATH)?.[1] : undefined;
    if (code === undefined) return await next();
    const headers = {
      "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'",
      "cache-control": "no-store",
      "referrer-policy": "no-referrer",
    };
    const site = c.req.header("sec-fetch-site");
    if (site === "cross-site" || site === "same-site") {
      return c.html(
        refusalPage(
          "Open this link yourself",
          "A pairing link works only when you scan its QR code or type it into the address " +
            "bar, not from another web page.",
        ),
        403,
        headers,
      );
    }
    const token = await pairings.redeem(code, c.req.header("user-agent"));
    if (token === null) {
      return c.html(
        refusalPage(
          "This pairing link does not work any more",
          "It was used already, has expired (links last 10 minutes) or was revoked. Make a " +
            "new one on the node's page: Settings → Use from your phone.",
        ),
        410,
        headers,
      );
    }
    setTokenCookie(c, token);
    c.header("cache-control", "no-store");
    c.header("referrer-policy", "no-referrer");
    return c.redirect("/", 303);
  };
}

/**
 * Cuts the streams a paired device has open (live events, an answer) when it is revoked, so
 * revoking takes effect at once instead of at the device's next request.
 */
export function cutOnRevoke(response: Response, pairings: Pairings, deviceId: string): Response {
  if (!response.body) return response;
  const reader = response.body.getReader();
  let stopListening = () => {};
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      stopListening = pairings.onRevoke((id) => {
        if (id !== deviceId) return;
        stopListening();
        controller.error(new Error("device access revoked"));
        reader.cancel("device access revoked").catch(() => {});
      });
    },
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) {
        stopListening();
        controller.close();
      } else controller.enqueue(value);
    },
    cancel(reason) {
      stopListening();
      return reader.cancel(reason);
    },
  });
  return new Response(body, response);
}

/** `GET/POST /api/pairing`, `DELETE /api/pairing/:id`: the page's "Use from your phone". */
export function pairingRoutes(deps: PairingRoutesDeps): Hono {
  const app = new Hono();

  app.get("/api/pairing", async (c) => {
    const addresses = deps.addresses();
    const view: PairingView = {
      reachable: addresses.length > 0,
      addresses,
      entries: await deps.pairings.list(),
      thisDevice: (c.get(PAIRED_DEVICE as never) as string | undefined) ?? null,
    };
    return c.json(view);
  });

  app.post("/api/pairing", async (c) => {
    const addresses = deps.addresses();
    if (addresses.length === 0) {
      return c.json({
        error: "this node's page listens on 127.0.0.1 only, so no phone can reach it: start " +
          "the node with --http-host 0.0.0.0 (the phone then needs this pairing link or the " +
          "API token)",
      }, 409);
    }
    let address = addresses[0];
    // The page's button sends no body; a JSON body may choose among the addresses.
    if (c.req.header("content-type")) {
      const body = await readJson(c);
      if (!body.ok) return body.response;
      const wanted = (body.value as { address?: unknown } | null)?.address;
      if (wanted !== undefined) {
        if (typeof wanted !== "string" || !addresses.includes(wanted)) {
          return c.json({
            error: `address must be one of this node's page addresses: ${addresses.join(", ")}`,
          }, 400);
        }
        address = wanted;
      }
    }
    const link = await deps.pairings.createLink();
    const view: NewPairingView = {
      id: link.id,
      url: `${address}/pair/${link.code}`,
      expiresAt: link.expiresAt,
    };
    c.header("cache-control", "no-store");
    return c.json(view, 201);
  });

  app.delete("/api/pairing/:id", async (c) => {
    if (!await deps.pairings.revoke(c.req.param("id"))) {
      return c.json({ error: "no such pairing link or paired device" }, 404);
    }
    return c.body(null, 204);
  });

  return app;
}
