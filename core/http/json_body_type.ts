/**
 * JSON endpoints take JSON. A browser can send a cross-origin POST without asking first only as
 * a "simple" request (text/plain, a form, multipart), so refusing those types from browsers
 * closes the form-post route even for an origin the guard would let through. text/plain is
 * refused from everyone. Programs keep two habits the Ollama API has always accepted: curl `-d`
 * labels JSON as a form, and many clients send no type at all.
 */
import type { MiddlewareHandler } from "hono";
import { hasBrowserProvenance } from "./origin_policy.ts";

export interface BodyTypeFacts {
  method: string;
  /** The Content-Type header, when present. */
  contentType?: string;
  /** True when the request announces a body (Content-Length > 0 or Transfer-Encoding). */
  hasBody: boolean;
  /** True when a browser sent it (core/http/origin_policy.ts). */
  browser: boolean;
}

const WITH_BODY = new Set(["POST", "PUT", "PATCH"]);
/** The type a non-browser client may label JSON with (curl `-d`). */
const PROGRAM_TYPES = new Set(["application/x-www-form-urlencoded"]);

function mediaType(contentType: string): string {
  return contentType.split(";")[0].trim().toLowerCase();
}

function isJson(type: string): boolean {
  return type === "application/json" || /^application\/[\w.+-]+\+json$/.test(type);
}

/** Null when the body may be read as JSON; otherwise the one-line reason for a 415. */
export function bodyTypeRefusal(facts: BodyTypeFacts): string | null {
  if (!WITH_BODY.has(facts.method.toUpperCase())) return null;
  const type = facts.contentType === undefined ? undefined : mediaType(facts.contentType);
  if (type !== undefined && isJson(type)) return null;
  if (type === undefined && !facts.hasBody) return null;
  if (!facts.browser && (type === undefined || type === "" || PROGRAM_TYPES.has(type))) {
    return null;
  }
  const shown = type === undefined || type === "" ? "no Content-Type" : `Content-Type ${type}`;
  return `this endpoint takes a JSON body sent as Content-Type: application/json (got ${shown})`;
}

/** Answers 415 to a body that is not labelled JSON (see bodyTypeRefusal). */
export function jsonBodyType(): MiddlewareHandler {
  return async function jsonBodyTypeMiddleware(c, next) {
    const length = c.req.header("content-length");
    const refusal = bodyTypeRefusal({
      method: c.req.method,
      contentType: c.req.header("content-type"),
      hasBody: (length !== undefined && length.trim() !== "0") ||
        c.req.header("transfer-encoding") !== undefined,
      browser: hasBrowserProvenance({
        origin: c.req.header("origin"),
        secFetchSite: c.req.header("sec-fetch-site"),
        secFetchMode: c.req.header("sec-fetch-mode"),
      }),
    });
    if (refusal === null) return await next();
    return c.json({ error: refusal }, 415);
  };
}
