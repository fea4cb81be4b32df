/**
 * Which web pages may make the node act. A page on another origin, open in the user's browser,
 * can send requests to the node (a no-cors `fetch`, an HTML form post) even though it cannot
 * read the answers, and the node trusts loopback. So every state-changing request and every LLM
 * call that a browser sends on behalf of another origin is refused, unless that origin was
 * allowed with `--allow-origin`. Requests without browser provenance (curl, SDKs, scripts) are
 * not affected: a program on this machine can do anything the page can anyway.
 * Pure: the facts come from the request headers (core/http/origin_guard.ts).
 */
import { normalizeOrigin, type OriginAllowList } from "../net/origin.ts";

export interface RequestFacts {
  method: string;
  /** The URL path, e.g. `/api/chat`. */
  path: string;
  /** `host[:port]` the request was sent to (the Host header): where the node's page is served. */
  host: string;
  /** The `Origin`, `Sec-Fetch-Site` and `Sec-Fetch-Mode` headers, when present. */
  origin?: string;
  secFetchSite?: string;
  secFetchMode?: string;
}

export type OriginVerdict =
  | { allow: true; because: "not guarded" | "not a browser" | "own page" | "allowed origin" }
  | { allow: false; reason: string };

const STATE_CHANGING = new Set(["POST", "PUT", "PATCH", "DELETE"]);
/** The Ollama-compatible API and the OpenAI-compatible API: guarded for every method. */
const LLM_API = /^\/(v1(\/|$)|api\/(chat|generate|embed|embeddings|show|tags|ps|version)$)/;

/** True for requests the guard checks: anything that changes state, and every LLM API call. */
export function isGuarded(method: string, path: string): boolean {
  return STATE_CHANGING.has(method.toUpperCase()) || LLM_API.test(path);
}

/** True when a browser sent the request: it carries `Origin` or a `Sec-Fetch-*` header. */
export function hasBrowserProvenance(
  facts: Pick<RequestFacts, "origin" | "secFetchSite" | "secFetchMode">,
): boolean {
  return facts.origin !== undefined || facts.secFetchSite !== undefined ||
    facts.secFetchMode !== undefined;
}

/** The node's own page: the origin of the address the request was sent to (http or, via a TLS proxy, https). */
function isOwnOrigin(origin: string, host: string): boolean {
  return origin === normalizeOrigin(`http://${host}`) ||
    origin === normalizeOrigin(`https://${host}`);
}

/**
 * Decides one request. The node's own page passes when its `Origin` is the address it was sent
 * to and the browser does not call it cross-site; without `Origin`, only `Sec-Fetch-Site:
 * same-origin` (or `none`: the user opened the address) passes. `Origin: null` (sandboxed
 * frames, file:// pages) never passes.
 */
export function judgeOrigin(facts: RequestFacts, allowed: OriginAllowList): OriginVerdict {
  if (!isGuarded(facts.method, facts.path)) return { allow: true, because: "not guarded" };
  if (!hasBrowserProvenance(facts)) return { allow: true, because: "not a browser" };
  const site = facts.secFetchSite?.toLowerCase();
  const what = `${facts.method.toUpperCase()} ${facts.path}`;
  if (facts.origin === undefined) {
    if (site === "same-origin" || site === "none") return { allow: true, because: "own page" };
    return {
      allow: false,
      reason: `refused ${what}: a browser sent it from another site (Sec-Fetch-Site: ${
        site ?? "missing"
      }) without an Origin this node could check`,
    };
  }
  if (facts.origin.trim().toLowerCase() === "null") {
    return {
      allow: false,
      reason: `refused ${what}: sent by a page with Origin null (a sandboxed frame or a ` +
        "local file), which may never call this node",
    };
  }
  const origin = normalizeOrigin(facts.origin);
  if (origin === null) {
    return {
      allow: false,
      reason: `refused ${what}: the Origin header ${JSON.stringify(facts.origin)} is not an origin`,
    };
  }
  const crossSite = site !== undefined && site !== "same-origin" && site !== "none";
  if (isOwnOrigin(origin, facts.host) && !crossSite) return { allow: true, because: "own page" };
  if (allowed.allows(origin)) return { allow: true, because: "allowed origin" };
  return {
    allow: false,
    reason: `refused ${what}: the web page at ${origin} may not use this node ` +
      `(only its own page may; allow that page with --allow-origin ${origin})`,
  };
}
