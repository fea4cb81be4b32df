/**
 * What the Ollama and OpenAI route groups share: their dependencies, how a refusal maps to a
 * status, the headers naming this node or the host that answers, and reading a JSON body
 * validated by a zod schema into an error in the dialect's own shape.
 */
import type { Context } from "hono";
import type { ZodType } from "zod";
import type { RoutingHints } from "../llm/api/ollama_api.ts";
import { UnsupportedInput } from "../llm/api/openai_api.ts";
import { type ChatChunk, ChatError } from "../llm/chat.ts";
import type { MeshLlmApi } from "../llm/mesh_llm.ts";
import type { ModelViewsApi } from "../llm/model_views.ts";
import { describeZodError } from "./errors.ts";

export interface LlmRoutesDeps {
  llm: MeshLlmApi;
  nodeId: string;
  /** The live settings: this node's name, read on every answer. */
  settings: () => { name: string };
  /** `/api/version` answer when the local backend's version is unknown. @default APP_VERSION */
  version?: string;
  /** `/api/ps` and `/api/show` asked of the hosts; without it, answered from the model list. */
  views?: ModelViewsApi;
}

export type ErrorKind = ChatError["kind"] | "not_found" | "internal";
export type LlmStatus = 200 | 400 | 404 | 429 | 500 | 502 | 503;

export const STATUS: Record<ErrorKind, LlmStatus> = {
  bad_request: 400,
  not_found: 404,
  rate_limited: 429,
  busy: 429,
  no_host: 503,
  upstream: 502,
  internal: 500,
};

export function errorKind(error: unknown): ErrorKind {
  if (error instanceof ChatError) return error.kind;
  if (error instanceof UnsupportedInput) return "bad_request";
  return "internal";
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Header values must be ByteStrings: node names may not be. */
export function headerSafe(value: string): string {
  return /^[\x20-\x7e]*$/.test(value) ? value : encodeURIComponent(value);
}

/** The headers naming the host and model that answer, from the answer's first chunk. */
export function servedHeaders(chunk: ChatChunk): Record<string, string> {
  return {
    "X-NeuroMesh-Host": chunk.servedBy.nodeId,
    "X-NeuroMesh-Host-Name": headerSafe(chunk.servedBy.nodeName),
    "X-NeuroMesh-Model": headerSafe(chunk.servedBy.model),
  };
}

/** The routing hints a client may send as headers. */
export function routingHints(c: Context): RoutingHints {
  return {
    conversationId: c.req.header("x-neuromesh-conversation") || undefined,
    preferredHost: c.req.header("x-neuromesh-prefer-host") || undefined,
  };
}

/** An API dialect's error object. */
export type ErrorBody = (kind: ErrorKind, message: string, param: string | null) => unknown;

export interface LlmResponder {
  /** A JSON answer that names this node in its headers. */
  json(c: Context, body: unknown, status?: LlmStatus, headers?: Record<string, string>): Response;
  /** The error answer for `error`, with the status of its kind. */
  fail(c: Context, error: unknown, param?: string | null): Response;
  /** The request's JSON body checked by `schema`, or the 400 answer saying what is wrong. */
  body<T>(c: Context, schema: ZodType<T>): Promise<T | Response>;
}

/** Answers in one dialect: its error shape, this node's headers. */
export function llmResponder(deps: LlmRoutesDeps, errorBody: ErrorBody): LlmResponder {
  const json: LlmResponder["json"] = (c, body, status = 200, headers = {}) =>
    c.json(body, status, {
      "X-NeuroMesh-Host": deps.nodeId,
      "X-NeuroMesh-Host-Name": headerSafe(deps.settings().name),
      ...headers,
    });
  const fail: LlmResponder["fail"] = (c, error, param = null) => {
    const kind = errorKind(error);
    const where = error instanceof UnsupportedInput ? error.param : param;
    return json(c, errorBody(kind, errorMessage(error), where), STATUS[kind]);
  };
  return {
    json,
    fail,
    async body(c, schema) {
      let value: unknown;
      try {
        value = await c.req.json();
      } catch {
        return fail(c, new ChatError("request body must be valid JSON", "bad_request"));
      }
      const parsed = schema.safeParse(value);
      if (parsed.success) return parsed.data;
      const where = parsed.error.issues[0].path.join(".") || null;
      return fail(c, new ChatError(describeZodError(parsed.error), "bad_request"), where);
    },
  };
}
