/**
 * Request bodies are limited while they arrive, never after: a declared Content-Length over the
 * limit is answered 413 before a byte of the body is read, and a chunked body is counted as it
 * is read and cut at the limit, so a handler never holds more than the limit in memory.
 * Chat requests may carry images and long questions, so their routes get a larger limit.
 */
import type { MiddlewareHandler } from "hono";

export interface BodyLimits {
  /** Every other request (settings, trust actions, new conversations). */
  maxBodyBytes: number;
  /** Chat requests: the LLM APIs and questions in a conversation. */
  maxChatBodyBytes: number;
}

export interface RouteLimit {
  bytes: number;
  /** The setting that raises it, named in the 413. */
  setting: "--max-body-bytes" | "--max-chat-body-bytes";
}

/** Chats, and imports of history files (a year of the original's chats runs to megabytes). */
const CHAT_ROUTE =
  /^\/(v1\/.+|api\/(chat|generate|embed|embeddings)|api\/conversations\/([^/]+\/messages|import))$/;

/** The limit of one route. */
export function limitFor(path: string, limits: BodyLimits): RouteLimit {
  return CHAT_ROUTE.test(path)
    ? { bytes: limits.maxChatBodyBytes, setting: "--max-chat-body-bytes" }
    : { bytes: limits.maxBodyBytes, setting: "--max-body-bytes" };
}

/** Thrown into the body stream when it passes the limit. */
export class BodyTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`request body is larger than ${limit} bytes`);
    this.name = "BodyTooLarge";
  }
}

/** Passes bytes through until more than `limit` went by, then fails the stream (and so the read). */
export function countingStream(
  limit: number,
  onOverflow: () => void,
): TransformStream<Uint8Array, Uint8Array> {
  let seen = 0;
  return new TransformStream({
    transform(chunk, controller) {
      seen += chunk.byteLength;
      if (seen > limit) {
        onOverflow();
        controller.error(new BodyTooLarge(limit));
        return;
      }
      controller.enqueue(chunk);
    },
  });
}

function tooLargeMessage(path: string, limit: RouteLimit): string {
  return `request body is larger than ${limit.bytes} bytes, the limit for ${path} ` +
    `(raise it with ${limit.setting})`;
}

// The rest of the body is not wanted: the connection closes after the answer instead of
// reading on.
const CLOSE = { connection: "close" };

/** Enforces `limitFor(path)` on every request body. */
export function bodyLimit(limits: BodyLimits): MiddlewareHandler {
  return async function bodyLimitMiddleware(c, next) {
    const raw = c.req.raw;
    if (!raw.body) return await next();
    const limit = limitFor(c.req.path, limits);
    const declared = raw.headers.get("content-length");
    if (declared !== null && !raw.headers.has("transfer-encoding")) {
      // The server holds the body to its declared length, so checking the header is enough.
      if (Number(declared) <= limit.bytes) return await next();
      return c.json({ error: tooLargeMessage(c.req.path, limit) }, 413, CLOSE);
    }
    let overflowed = false;
    c.req.raw = new Request(raw, {
      body: raw.body.pipeThrough(countingStream(limit.bytes, () => (overflowed = true))),
    });
    await next();
    // The handler saw its body read fail; whatever it answered, the answer is 413.
    if (overflowed) {
      c.res = new Response(JSON.stringify({ error: tooLargeMessage(c.req.path, limit) }), {
        status: 413,
        headers: { "content-type": "application/json", ...CLOSE },
      });
    }
  };
}
