/**
 * The mesh API: Ollama-compatible (`/api/chat`, `/api/generate`, `/api/tags`, `/api/show`,
 * `/api/ps`, `/api/version`) and OpenAI-compatible (`/v1/chat/completions`, `/v1/models`)
 * endpoints answered by the whole mesh, plus `/api/mesh/models` for the UI. Real clients (the
 * `ollama` and `openai` npm packages, curl) work unchanged; see docs/llm.md.
 */
import { type Context, Hono } from "hono";
import type { ZodType } from "zod";
import {
  chatRequestFromGenerate,
  chatRequestFromOllama,
  type MeshTrailer,
  OllamaChatBody,
  ollamaDone,
  type OllamaEndpoint,
  OllamaGenerateBody,
  ollamaPart,
  ollamaPsEntry,
  ollamaShow,
  OllamaShowBody,
  ollamaTagsEntry,
  type RoutingHints,
} from "../llm/api/ollama_api.ts";
import {
  chatRequestFromOpenAi,
  type CompletionContext,
  finishReason,
  OpenAiChatBody,
  openAiChunk,
  openAiCompletion,
  openAiError,
  type OpenAiErrorType,
  openAiModel,
  openAiModelList,
  openAiUsageChunk,
  UnsupportedInput,
} from "../llm/api/openai_api.ts";
import { type ChatChunk, ChatError, type ChatRequest } from "../llm/chat.ts";
import type { MeshLlmApi } from "../llm/mesh_llm.ts";
import { sameModel } from "../llm/router.ts";
import { APP_VERSION } from "../version.ts";
import { describeZodError } from "./errors.ts";

export interface LlmRoutesDeps {
  llm: MeshLlmApi;
  identity: { nodeId: string; name: string };
  /** `/api/version` answer when the local backend's version is unknown. @default APP_VERSION */
  version?: string;
}

type Flavor = "ollama" | "openai";
type ErrorKind = ChatError["kind"] | "not_found" | "internal";

const STATUS: Record<ErrorKind, 400 | 404 | 429 | 500 | 502 | 503> = {
  bad_request: 400,
  not_found: 404,
  rate_limited: 429,
  busy: 429,
  no_host: 503,
  upstream: 502,
  internal: 500,
};

const OPENAI_TYPE: Record<ErrorKind, OpenAiErrorType> = {
  bad_request: "invalid_request_error",
  not_found: "not_found_error",
  rate_limited: "rate_limit_error",
  busy: "rate_limit_error",
  no_host: "server_error",
  upstream: "server_error",
  internal: "server_error",
};

const encoder = new TextEncoder();

/** Header values must be ByteStrings: node names may not be. */
function headerSafe(value: string): string {
  return /^[\x20-\x7e]*$/.test(value) ? value : encodeURIComponent(value);
}

function errorKind(error: unknown): ErrorKind {
  if (error instanceof ChatError) return error.kind;
  if (error instanceof UnsupportedInput) return "bad_request";
  return "internal";
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function errorBody(flavor: Flavor, kind: ErrorKind, message: string, param: string | null = null) {
  if (flavor === "ollama") return { error: message };
  return openAiError(message, OPENAI_TYPE[kind], kind === "bad_request" ? null : kind, param);
}

/** Collects what a response reports about who answered. */
class Tally {
  content = "";
  thinking = "";
  last: ChatChunk | undefined;
  readonly hosts: MeshTrailer["hosts"] = [];
  failedOver = false;

  add(chunk: ChatChunk) {
    this.content += chunk.content;
    this.thinking += chunk.thinking ?? "";
    this.last = chunk;
    if (chunk.failedOverFrom) this.failedOver = true;
    const { nodeId, nodeName, model } = chunk.servedBy;
    if (!this.hosts.some((h) => h.nodeId === nodeId)) {
      this.hosts.push({ nodeId, name: nodeName, model });
    }
  }
  trailer(): MeshTrailer {
    return { hosts: this.hosts, failedOver: this.failedOver };
  }
}

interface Started {
  first: ChatChunk;
  iterator: AsyncIterator<ChatChunk>;
  abort: AbortController;
  startedAt: number;
}

/** How one API writes a stream: the objects for each chunk, the end, an error. */
interface StreamWriter {
  contentType: string;
  encode(value: unknown): string;
  chunk(chunk: ChatChunk, tally: Tally): unknown[];
  error(kind: ErrorKind, message: string): unknown;
  /** Written after the last object (SSE's `data: [DONE]`). */
  end?: string;
}

export function llmRoutes(deps: LlmRoutesDeps): Hono {
  const app = new Hono();
  const { llm, identity } = deps;

  const nodeHeaders = (): Record<string, string> => ({
    "X-NeuroMesh-Host": identity.nodeId,
    "X-NeuroMesh-Host-Name": headerSafe(identity.name),
  });
  const servedHeaders = (chunk: ChatChunk): Record<string, string> => ({
    "X-NeuroMesh-Host": chunk.servedBy.nodeId,
    "X-NeuroMesh-Host-Name": headerSafe(chunk.servedBy.nodeName),
    "X-NeuroMesh-Model": headerSafe(chunk.servedBy.model),
  });
  const json = (
    c: Context,
    body: unknown,
    status: 200 | 400 | 404 | 429 | 500 | 502 | 503 = 200,
    headers = {},
  ) => c.json(body, status, { ...nodeHeaders(), ...headers });
  const fail = (c: Context, flavor: Flavor, error: unknown, param: string | null = null) => {
    const kind = errorKind(error);
    const param_ = error instanceof UnsupportedInput ? error.param : param;
    return json(c, errorBody(flavor, kind, errorMessage(error), param_), STATUS[kind]);
  };

  /** Parses and validates a JSON body; a Response when it is not acceptable. */
  async function body<T>(c: Context, flavor: Flavor, schema: ZodType<T>): Promise<T | Response> {
    let value: unknown;
    try {
      value = await c.req.json();
    } catch {
      return fail(c, flavor, new ChatError("request body must be valid JSON", "bad_request"));
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return fail(
        c,
        flavor,
        new ChatError(describeZodError(parsed.error), "bad_request"),
        issue.path.join(".") || null,
      );
    }
    return parsed.data;
  }

  const hints = (c: Context): RoutingHints => ({
    conversationId: c.req.header("x-neuromesh-conversation") || undefined,
    preferredHost: c.req.header("x-neuromesh-prefer-host") || undefined,
  });

  /** Starts the chat and waits for its first chunk, so refusals still get a status code. */
  async function start(c: Context, request: ChatRequest): Promise<Started> {
    const abort = new AbortController();
    const onDisconnect = () => abort.abort(new Error("client disconnected"));
    c.req.raw.signal.addEventListener("abort", onDisconnect, { once: true });
    const iterator = llm.chat(request, abort.signal)[Symbol.asyncIterator]();
    try {
      const first = await iterator.next();
      if (first.done) throw new ChatError("the host ended the answer without any text", "upstream");
      return { first: first.value, iterator, abort, startedAt: performance.now() };
    } catch (error) {
      abort.abort(error);
      throw error;
    }
  }

  /** Reads the whole answer (non-streaming requests). */
  async function drain(started: Started): Promise<Tally> {
    const tally = new Tally();
    let chunk: ChatChunk | undefined = started.first;
    while (chunk) {
      tally.add(chunk);
      if (chunk.done) break;
      const next = await started.iterator.next();
      chunk = next.done ? undefined : next.value;
    }
    if (!tally.last?.done) {
      throw new ChatError("the answer ended without a final chunk", "upstream");
    }
    return tally;
  }

  /** The response body of a streaming answer; stopping the read stops the generation. */
  function stream(started: Started, writer: StreamWriter): ReadableStream<Uint8Array> {
    const tally = new Tally();
    let pending: ChatChunk | undefined = started.first;
    let finished = false;
    return new ReadableStream<Uint8Array>({
      async pull(controller) {
        try {
          let chunk = pending;
          pending = undefined;
          if (!chunk) {
            const next = await started.iterator.next();
            if (next.done) {
              throw new ChatError("the answer ended without a final chunk", "upstream");
            }
            chunk = next.value;
          }
          tally.add(chunk);
          const text = writer.chunk(chunk, tally).map((value) => writer.encode(value)).join("");
          if (chunk.done) {
            finished = true;
            controller.enqueue(encoder.encode(text + (writer.end ?? "")));
            controller.close();
          } else if (text) {
            controller.enqueue(encoder.encode(text));
          }
        } catch (error) {
          finished = true;
          controller.enqueue(
            encoder.encode(writer.encode(writer.error(errorKind(error), errorMessage(error)))),
          );
          controller.close();
        }
      },
      cancel() {
        if (!finished) started.abort.abort(new Error("client disconnected"));
        void started.iterator.return?.();
      },
    });
  }

  const now = () => new Date().toISOString();
  const totalNs = (started: Started) => Math.round((performance.now() - started.startedAt) * 1e6);
  const ndjson = (value: unknown) => `${JSON.stringify(value)}\n`;
  const sse = (value: unknown) => `data: ${JSON.stringify(value)}\n\n`;

  /** Ollama's "load" answer to a chat/generate without input: the model exists and is ready. */
  function loaded(c: Context, model: string, endpoint: OllamaEndpoint) {
    const found = llm.models().find((m) => sameModel(m.name, model));
    if (!found) {
      return fail(
        c,
        "ollama",
        new ChatError(`model "${model}" is not available on the mesh`, "no_host"),
      );
    }
    const nothing: ChatChunk = {
      content: "",
      done: true,
      doneReason: "load",
      servedBy: { nodeId: identity.nodeId, nodeName: identity.name, model: found.name },
    };
    const { neuromesh: _, ...answer } = ollamaDone(
      endpoint,
      nothing,
      { content: "", thinking: "" },
      now(),
      0,
      {
        hosts: [],
        failedOver: false,
      },
    );
    return json(c, answer);
  }

  async function ollamaAnswer(
    c: Context,
    request: ChatRequest,
    streaming: boolean,
    endpoint: OllamaEndpoint,
  ) {
    let started: Started;
    try {
      started = await start(c, request);
    } catch (error) {
      return fail(c, "ollama", error);
    }
    const part = (chunk: ChatChunk) => ollamaPart(endpoint, chunk, now());
    const done = (last: ChatChunk, text: { content: string; thinking: string }, tally: Tally) =>
      ollamaDone(endpoint, last, text, now(), totalNs(started), tally.trailer());
    if (!streaming) {
      try {
        const tally = await drain(started);
        return json(
          c,
          done(tally.last!, tally, tally),
          200,
          servedHeaders(started.first),
        );
      } catch (error) {
        return fail(c, "ollama", error);
      }
    }
    const writer: StreamWriter = {
      contentType: "application/x-ndjson",
      encode: ndjson,
      chunk: (chunk, tally) =>
        chunk.done
          ? [done(chunk, { content: chunk.content, thinking: chunk.thinking ?? "" }, tally)]
          : chunk.content || chunk.thinking
          ? [part(chunk)]
          : [],
      error: (_kind, message) => ({ error: message }),
    };
    return new Response(stream(started, writer), {
      headers: { "Content-Type": writer.contentType, ...servedHeaders(started.first) },
    });
  }

  // ---- Ollama API ----

  app.post("/api/chat", async (c) => {
    const parsed = await body(c, "ollama", OllamaChatBody);
    if (parsed instanceof Response) return parsed;
    if (parsed.messages.length === 0) return loaded(c, parsed.model, "chat");
    return ollamaAnswer(
      c,
      chatRequestFromOllama(parsed, hints(c)),
      parsed.stream !== false,
      "chat",
    );
  });

  app.post("/api/generate", async (c) => {
    const parsed = await body(c, "ollama", OllamaGenerateBody);
    if (parsed instanceof Response) return parsed;
    if (!parsed.prompt && !parsed.images?.length) return loaded(c, parsed.model, "generate");
    return ollamaAnswer(
      c,
      chatRequestFromGenerate(parsed, hints(c)),
      parsed.stream !== false,
      "generate",
    );
  });

  app.get("/api/tags", (c) => json(c, { models: llm.models().map(ollamaTagsEntry) }));

  app.get("/api/ps", (c) => {
    const expires = new Date(Date.now() + 5 * 60_000).toISOString();
    const busy = llm.models().filter((m) => m.hosts.some((h) => h.inFlight > 0));
    return json(c, { models: busy.map((m) => ollamaPsEntry(m, expires)) });
  });

  app.post("/api/show", async (c) => {
    const parsed = await body(c, "ollama", OllamaShowBody);
    if (parsed instanceof Response) return parsed;
    const name = parsed.model || parsed.name || "";
    const found = llm.models().find((m) => sameModel(m.name, name));
    if (!found) return json(c, { error: `model "${name}" not found on the mesh` }, 404);
    return json(c, ollamaShow(found));
  });

  app.get(
    "/api/version",
    (c) => json(c, { version: llm.backendVersion() ?? deps.version ?? APP_VERSION }),
  );

  app.get("/api/mesh/models", (c) => json(c, { models: llm.models() }));

  // ---- OpenAI API ----

  app.get("/v1/models", (c) => json(c, openAiModelList(llm.models())));

  app.get("/v1/models/*", (c) => {
    const id = decodeURIComponent(c.req.path.slice("/v1/models/".length));
    const found = llm.models().find((m) => sameModel(m.name, id));
    if (!found) {
      return json(
        c,
        openAiError(
          `The model '${id}' does not exist`,
          "not_found_error",
          "model_not_found",
          "model",
        ),
        404,
      );
    }
    return json(c, openAiModel(found));
  });

  app.post("/v1/chat/completions", async (c) => {
    const parsed = await body(c, "openai", OpenAiChatBody);
    if (parsed instanceof Response) return parsed;
    let request: ChatRequest;
    let started: Started;
    try {
      request = chatRequestFromOpenAi(parsed, hints(c));
      started = await start(c, request);
    } catch (error) {
      return fail(c, "openai", error);
    }
    const ctx: CompletionContext = {
      id: `chatcmpl-${crypto.randomUUID().replaceAll("-", "").slice(0, 24)}`,
      created: Math.floor(Date.now() / 1000),
    };
    if (!parsed.stream) {
      try {
        const tally = await drain(started);
        return json(
          c,
          openAiCompletion(ctx, tally.last!, tally, tally.trailer()),
          200,
          servedHeaders(started.first),
        );
      } catch (error) {
        return fail(c, "openai", error);
      }
    }
    const includeUsage = parsed.stream_options?.include_usage === true;
    let sentRole = false;
    const writer: StreamWriter = {
      contentType: "text/event-stream",
      encode: sse,
      chunk: (chunk, tally) => {
        const model = chunk.servedBy.model;
        const out: Record<string, unknown>[] = [];
        if (chunk.content || chunk.thinking) {
          out.push(openAiChunk(ctx, model, {
            ...(sentRole ? {} : { role: "assistant" as const }),
            content: chunk.content,
            ...(chunk.thinking ? { reasoning: chunk.thinking } : {}),
          }, null));
          sentRole = true;
        }
        if (chunk.done) {
          out.push(
            openAiChunk(
              ctx,
              model,
              sentRole ? {} : { role: "assistant", content: "" },
              finishReason(chunk.doneReason),
            ),
          );
          if (includeUsage) out.push(openAiUsageChunk(ctx, model, chunk.stats));
          out[out.length - 1] = { ...out[out.length - 1], neuromesh: tally.trailer() };
        }
        return out;
      },
      error: (kind, message) => errorBody("openai", kind, message),
      end: "data: [DONE]\n\n",
    };
    return new Response(stream(started, writer), {
      headers: {
        "Content-Type": writer.contentType,
        "Cache-Control": "no-cache",
        ...servedHeaders(started.first),
      },
    });
  });

  return app;
}
