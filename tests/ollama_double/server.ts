/**
 * The Ollama test double: an HTTP server speaking Ollama's real API (`/`, `/api/version`,
 * `/api/tags`, `/api/ps`, `/api/show`, `/api/chat`, `/api/generate`, `/api/embed`,
 * `/api/embeddings`) and the OpenAI-compatible API Ollama also serves (`/v1/models`,
 * `/v1/chat/completions`, `/v1/completions`, `/v1/embeddings`; see openai_api.ts), with
 * deterministic answers, tool calls, structured outputs and embeddings (answer.ts, tools.ts,
 * structured.ts, embeddings.ts), configurable latency, injectable faults (faults.ts) and
 * counters that let tests prove what happened on the host (e.g. that a cancelled stream stopped
 * generating). Test code only: product code never imports it.
 */
import { type AnswerInput, countPromptTokens, DEFAULT_ANSWER_TOKENS, planReply } from "./answer.ts";
import { CONTROL_PREFIX, handleControl } from "./control.ts";
import { expectedEmbedding, fitContext } from "./embeddings.ts";
import type { EmbedSpec, Engine, PlannedReply, ReplySpec, Route } from "./engine.ts";
import {
  DEFAULT_HTTP_ERROR,
  type Endpoint,
  type Fault,
  FaultSchedule,
  type FaultSpec,
} from "./faults.ts";
import { brokenResponse, IntentionalAbort, respondWithGeneration } from "./generation.ts";
import {
  DEFAULT_MODELS,
  type DoubleModel,
  findModel,
  missingCapability,
  type ModelSpec,
  psEntry,
  resolveModel,
  showResponse,
  tagsEntry,
} from "./models.ts";
import { ollamaRoutes } from "./ollama_api.ts";
import { OPENAI_ERRORS, openAiRoutes, retrieveModel } from "./openai_api.ts";
import { Slots } from "./slots.ts";
import { planToolReply } from "./tools.ts";
import {
  errorResponse,
  JSON_HEADERS,
  jsonResponse,
  keepAliveMs,
  ShowRequestSchema,
  textResponse,
  zodMessage,
} from "./wire.ts";

/** What an `answer` override is asked for. */
export interface AnswerRequest {
  /** "chat" for /api/chat and /v1/chat/completions, "generate" for /api/generate and /v1/completions. */
  endpoint: "chat" | "generate";
  /** The model's full name with tag (a request for "m" is answered as "m:latest"). */
  model: string;
  /** The prompt, or the messages (without a trailing assistant prefix being continued). */
  input: AnswerInput;
}

export interface OllamaDoubleOptions {
  /** Default "127.0.0.1". */
  hostname?: string;
  /** Default 0: a free port, reported as `port`. */
  port?: number;
  /** Default one model, "tinyllama:1.1b". */
  models?: readonly (ModelSpec | string)[];
  /** Delay between streamed tokens. Default 0. */
  tokenLatencyMs?: number;
  /** Delay before the first token (model load and prompt evaluation). Default 0. */
  firstTokenLatencyMs?: number;
  /** Tokens per answer. Default 20. */
  tokens?: number;
  /**
   * Overrides every text answer (structured outputs too; tool calls are not affected); must be
   * deterministic for continuation to work.
   */
  answer?: (request: AnswerRequest) => string;
  /** Default "none". */
  fault?: Fault;
  /** Replies generated at once, like OLLAMA_NUM_PARALLEL; 0 (default) means unlimited. */
  parallel?: number;
  /** Requests allowed to wait for a slot, like OLLAMA_MAX_QUEUE. Default 512. */
  maxQueue?: number;
  /** Request bodies kept per path. Default 100. */
  logLimit?: number;
  /** Reported by `/api/version`. */
  version?: string;
  /** Also serve the control API (see control.ts) on this TCP port of `hostname`. */
  controlPort?: number;
  /** Also serve the control API on this unix socket (reachable from outside a netns). */
  controlPath?: string;
  /**
   * The APIs served: Ollama's (`/`, `/api/*`) and the OpenAI-compatible one (`/v1/*`). Default
   * both, as Ollama does; `["openai"]` is a server like llama.cpp, LM Studio or vLLM.
   */
  apis?: readonly Api[];
}

export const APIS = ["ollama", "openai"] as const;
export type Api = typeof APIS[number];

export interface DoubleStats {
  /** Ollama API requests received (control requests excluded). */
  requests: number;
  /** Requests per path, e.g. `{"/api/chat": 3}`. */
  requestCounts: Record<string, number>;
  /** Chat/generate replies in progress (streaming or not, including those queued). */
  activeStreams: number;
  /** Replies waiting for a slot (`parallel`). */
  queued: number;
  /** Replies that sent their final `done` object. */
  completed: number;
  /** Replies whose client disconnected before `done`; their generation stopped. */
  cancelled: number;
  /** Replies ended by an injected fault or by the server stopping. */
  failed: number;
  /** Tokens generated, over all replies. */
  tokensSent: number;
  /** Replies that continued an assistant prefix or tool calls (failover re-issues). */
  continued: number;
  /** Inputs embedded (each text of `/api/embed`, `/api/embeddings` and `/v1/embeddings`). */
  embeddings: number;
  /** False while a `refuse` fault keeps the port closed. */
  listening: boolean;
  /** The current fault; `remaining` is null when it has no `times` limit. */
  fault: FaultSpec & { remaining: number | null };
}

export interface OllamaDouble extends AsyncDisposable {
  /** e.g. "http://127.0.0.1:40123". */
  readonly url: string;
  readonly hostname: string;
  readonly port: number;
  /** URL of the control API on `controlPort`, or null. */
  readonly controlUrl: string | null;
  readonly requests: number;
  readonly activeStreams: number;
  readonly cancelled: number;
  readonly completed: number;
  readonly failed: number;
  readonly tokensSent: number;
  readonly continued: number;
  readonly embeddings: number;
  stats(): DoubleStats;
  /** The last `logLimit` JSON bodies received on `path` (null for GET), oldest first. */
  requestLog(path: string): unknown[];
  /** Takes effect at once for new requests; resolves when `refuse` has closed or reopened the port. */
  setFault(fault: Fault): Promise<void>;
  setTokenLatencyMs(ms: number): void;
  setFirstTokenLatencyMs(ms: number): void;
  setTokens(count: number): void;
  setModels(models: readonly (ModelSpec | string)[]): void;
  /** Zeroes counters and logs (in-progress replies still count when they end). */
  resetStats(): void;
  /** Resolves with the stats once `predicate` holds; rejects after `timeoutMs` (default 5000). */
  waitFor(predicate: (stats: DoubleStats) => boolean, timeoutMs?: number): Promise<DoubleStats>;
  /** Drops open replies and stops all listeners. */
  close(): Promise<void>;
}

export const DEFAULT_OLLAMA_VERSION = "0.12.6";
/** Ollama's ErrMaxQueue text (with its two spaces). */
export const SERVER_BUSY = "server busy, please try again.  maximum pending requests exceeded";

function requireMs(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) {
    throw new RangeError(`ollama double: ${name} must be a non-negative number, got ${value}`);
  }
  return value;
}

function requireCount(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0) {
    throw new RangeError(`ollama double: ${name} must be a non-negative integer, got ${value}`);
  }
  return value;
}

function zeroCounters() {
  return {
    requests: 0,
    activeStreams: 0,
    completed: 0,
    cancelled: 0,
    failed: 0,
    tokensSent: 0,
    continued: 0,
    embeddings: 0,
  };
}

function httpUrl(hostname: string, port: number): string {
  return `http://${hostname.includes(":") ? `[${hostname}]` : hostname}:${port}`;
}

class OllamaDoubleServer implements OllamaDouble {
  readonly hostname: string;
  #port: number;
  #models: DoubleModel[] = [];
  #tokenLatencyMs: number;
  #firstTokenLatencyMs: number;
  #tokens: number;
  readonly #answer: ((request: AnswerRequest) => string) | undefined;
  #faults: FaultSchedule;
  readonly #slots: Slots;
  readonly #logLimit: number;
  readonly #version: string;
  readonly #controlPort: number | undefined;
  readonly #controlPath: string | undefined;

  #counters = zeroCounters();
  #counts = new Map<string, number>();
  #logs = new Map<string, unknown[]>();
  /** Model name → epoch ms when it unloads. */
  #loaded = new Map<string, number>();

  #server: Deno.HttpServer | null = null;
  #serverAbort = new AbortController();
  /** Aborted when the API listener stops: drops every open reply. */
  #epoch = new AbortController();
  #controlServers: { server: Deno.HttpServer; abort: AbortController }[] = [];
  #transition: Promise<void> = Promise.resolve();
  #closing: Promise<void> | null = null;
  #controlUrl: string | null = null;
  readonly #routes: Record<string, Route>;
  readonly #apis: ReadonlySet<Api>;
  readonly #engine: Engine = {
    reply: (spec) => this.#reply(spec),
    embed: (spec) => this.#embed(spec),
    models: () => this.#models,
    simple: (endpoint, request, respond) => this.#simple(endpoint, request, respond),
  };

  constructor(options: OllamaDoubleOptions) {
    this.hostname = options.hostname ?? "127.0.0.1";
    this.#port = requireCount("port", options.port ?? 0);
    this.setModels(options.models ?? DEFAULT_MODELS);
    this.#tokenLatencyMs = requireMs("tokenLatencyMs", options.tokenLatencyMs ?? 0);
    this.#firstTokenLatencyMs = requireMs("firstTokenLatencyMs", options.firstTokenLatencyMs ?? 0);
    this.#tokens = requireCount("tokens", options.tokens ?? DEFAULT_ANSWER_TOKENS);
    this.#answer = options.answer;
    this.#faults = new FaultSchedule(options.fault ?? "none");
    this.#slots = new Slots(options.parallel ?? 0, options.maxQueue ?? 512);
    this.#logLimit = requireCount("logLimit", options.logLimit ?? 100);
    this.#version = options.version ?? DEFAULT_OLLAMA_VERSION;
    this.#controlPort = options.controlPort;
    this.#controlPath = options.controlPath;
    this.#apis = new Set(options.apis ?? APIS);
    if (this.#apis.size === 0 || [...this.#apis].some((api) => !APIS.includes(api))) {
      throw new RangeError(
        `ollama double: apis must name ${APIS.join(" and/or ")}, got ${
          JSON.stringify(options.apis)
        }`,
      );
    }
    this.#routes = {
      "/": {
        method: "GET",
        head: true,
        handle: (r) => this.#simple("root", r, () => this.#root()),
      },
      "/api/version": {
        method: "GET",
        head: true,
        handle: (r) =>
          this.#simple("version", r, () => jsonResponse(200, { version: this.#version })),
      },
      "/api/tags": {
        method: "GET",
        head: true,
        handle: (r) =>
          this.#simple("tags", r, () => jsonResponse(200, { models: this.#models.map(tagsEntry) })),
      },
      "/api/ps": { method: "GET", handle: (r) => this.#simple("ps", r, () => this.#ps()) },
      "/api/show": { method: "POST", handle: (r, body) => this.#show(r, body) },
      ...ollamaRoutes(this.#engine),
      ...openAiRoutes(this.#engine),
    };
  }

  get port(): number {
    return this.#port;
  }

  get url(): string {
    return httpUrl(this.hostname, this.#port);
  }

  get controlUrl(): string | null {
    return this.#controlUrl;
  }

  get requests(): number {
    return this.#counters.requests;
  }
  get activeStreams(): number {
    return this.#counters.activeStreams;
  }
  get cancelled(): number {
    return this.#counters.cancelled;
  }
  get completed(): number {
    return this.#counters.completed;
  }
  get failed(): number {
    return this.#counters.failed;
  }
  get tokensSent(): number {
    return this.#counters.tokensSent;
  }
  get continued(): number {
    return this.#counters.continued;
  }
  get embeddings(): number {
    return this.#counters.embeddings;
  }

  async start(): Promise<void> {
    this.#listen();
    try {
      if (this.#controlPort !== undefined) {
        const server = this.#serveControl({ hostname: this.hostname, port: this.#controlPort });
        this.#controlUrl = httpUrl(this.hostname, (server.addr as Deno.NetAddr).port);
      }
      if (this.#controlPath !== undefined) {
        try {
          Deno.removeSync(this.#controlPath); // a stale socket of a killed run
        } catch { /* not there */ }
        this.#serveControl({ path: this.#controlPath });
      }
      if (this.#faults.kind === "refuse") await this.#stopListening();
    } catch (error) {
      await this.close();
      throw error;
    }
  }

  stats(): DoubleStats {
    const { remaining } = this.#faults;
    return {
      ...this.#counters,
      queued: this.#slots.queued,
      requestCounts: Object.fromEntries(this.#counts),
      listening: this.#server !== null,
      fault: { ...this.#faults.spec, remaining: Number.isFinite(remaining) ? remaining : null },
    };
  }

  requestLog(path: string): unknown[] {
    return [...(this.#logs.get(path) ?? [])];
  }

  setFault(fault: Fault): Promise<void> {
    this.#faults = new FaultSchedule(fault);
    this.#transition = this.#transition.catch(() => {}).then(() => this.#applyRefuse());
    return this.#transition;
  }

  setTokenLatencyMs(ms: number): void {
    this.#tokenLatencyMs = requireMs("tokenLatencyMs", ms);
  }

  setFirstTokenLatencyMs(ms: number): void {
    this.#firstTokenLatencyMs = requireMs("firstTokenLatencyMs", ms);
  }

  setTokens(count: number): void {
    this.#tokens = requireCount("tokens", count);
  }

  setModels(models: readonly (ModelSpec | string)[]): void {
    this.#models = models.map(resolveModel);
  }

  resetStats(): void {
    // replies in progress still end (and decrement) after the reset
    this.#counters = { ...zeroCounters(), activeStreams: this.#counters.activeStreams };
    this.#counts.clear();
    this.#logs.clear();
  }

  waitFor(predicate: (stats: DoubleStats) => boolean, timeoutMs = 5000): Promise<DoubleStats> {
    const deadline = Date.now() + timeoutMs;
    return new Promise((resolve, reject) => {
      const check = () => {
        const stats = this.stats();
        if (predicate(stats)) return resolve(stats);
        if (Date.now() >= deadline) {
          return reject(
            new Error(
              `ollama double: condition not met in ${timeoutMs} ms; stats ${JSON.stringify(stats)}`,
            ),
          );
        }
        setTimeout(check, 5);
      };
      check();
    });
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      await this.#transition.catch(() => {});
      await this.#stopListening();
      for (const { server, abort } of this.#controlServers) {
        abort.abort();
        await server.finished;
      }
      this.#controlServers = [];
    })();
    return this.#closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  // --- listeners -------------------------------------------------------------------------

  #listen(): void {
    this.#serverAbort = new AbortController();
    this.#epoch = new AbortController();
    this.#server = Deno.serve({
      hostname: this.hostname,
      port: this.#port,
      signal: this.#serverAbort.signal,
      onListen: () => {},
      onError: this.#onError,
    }, (request) => this.#handle(request));
    this.#port = (this.#server.addr as Deno.NetAddr).port;
  }

  async #stopListening(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = null;
    this.#epoch.abort(new IntentionalAbort("server stopped"));
    this.#serverAbort.abort();
    await server.finished;
  }

  async #applyRefuse(): Promise<void> {
    if (this.#closing) return;
    const refuse = this.#faults.kind === "refuse";
    if (refuse) await this.#stopListening();
    else if (!this.#server) this.#listen();
  }

  #serveControl(address: { hostname: string; port: number } | { path: string }): Deno.HttpServer {
    const abort = new AbortController();
    const server = Deno.serve({
      ...address,
      signal: abort.signal,
      onListen: () => {},
      onError: this.#onError,
    }, (request) => {
      const url = new URL(request.url);
      if (!url.pathname.startsWith(CONTROL_PREFIX)) return textResponse(404, "404 page not found");
      return handleControl(this, request, url);
    });
    this.#controlServers.push({ server, abort });
    return server;
  }

  #onError = (error: unknown): Response => {
    // a connection dropped on purpose (fault, refuse, close) is no error of the double
    if (!(error instanceof IntentionalAbort)) {
      console.error("ollama double: unexpected error:", error);
    }
    return errorResponse(500, String(error));
  };

  // --- routing -----------------------------------------------------------------------------

  async #handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname.startsWith(CONTROL_PREFIX)) return handleControl(this, request, url);
    this.#counters.requests++;
    this.#counts.set(url.pathname, (this.#counts.get(url.pathname) ?? 0) + 1);
    const openAi = url.pathname.startsWith("/v1/");
    if (!this.#apis.has(openAi ? "openai" : "ollama")) {
      return textResponse(404, "404 page not found");
    }
    const route = this.#routes[url.pathname] ??
      (url.pathname.startsWith("/v1/models/")
        ? {
          method: "GET",
          handle: (r: Request) =>
            retrieveModel(this.#engine, r, url.pathname.slice("/v1/models/".length)),
        } satisfies Route
        : undefined);
    if (!route) return textResponse(404, "404 page not found");
    const method = request.method === "HEAD" && route.head ? "GET" : request.method;
    if (method !== route.method) return textResponse(405, "405 method not allowed");
    if (route.method === "GET") {
      this.#log(url.pathname, null);
      return route.handle(request, null);
    }
    const fail = openAi ? OPENAI_ERRORS.status : errorResponse;
    const text = await request.text();
    if (text.trim() === "") {
      this.#log(url.pathname, null);
      return fail(400, "missing request body");
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (error) {
      this.#log(url.pathname, text);
      return fail(400, `invalid JSON in request body: ${(error as Error).message}`);
    }
    this.#log(url.pathname, body);
    return await route.handle(request, body);
  }

  #log(path: string, body: unknown): void {
    const log = this.#logs.get(path) ?? [];
    log.push(body);
    if (log.length > this.#logLimit) log.splice(0, log.length - this.#logLimit);
    this.#logs.set(path, log);
  }

  /** Serves a non-generating endpoint, applying a fault that targets it. */
  async #simple(
    endpoint: Endpoint,
    request: Request,
    respond: () => Response,
    model?: string,
  ): Promise<Response> {
    const fault = this.#faults.take(endpoint, model);
    return await this.#applyFault(fault, endpoint, request) ?? respond();
  }

  /**
   * A fault on a reply that is not streamed token by token: the error or broken response it
   * causes, or null to answer normally (after a `slow` or a timed `stall` delay).
   */
  async #applyFault(
    fault: FaultSpec | null,
    endpoint: Endpoint,
    request: Request,
  ): Promise<Response | null> {
    switch (fault?.kind) {
      case "http500": {
        const fail = endpoint.startsWith("v1.") ? OPENAI_ERRORS.status : errorResponse;
        return fail(fault.status ?? 500, fault.message ?? DEFAULT_HTTP_ERROR);
      }
      case "closeMidStream":
        return brokenResponse(`closeMidStream on ${endpoint}`, JSON_HEADERS);
      case "stall":
        if (fault.forMs !== undefined) {
          await this.#delay(fault.forMs);
          return null;
        }
        await this.#hang(request);
        return brokenResponse(`stall on ${endpoint} ended`, JSON_HEADERS);
      case "slow":
        await this.#delay(fault.firstTokenLatencyMs ?? this.#firstTokenLatencyMs);
        return null;
      default:
        return null;
    }
  }

  /** Waits until the client leaves or the server stops. */
  #hang(request: Request): Promise<void> {
    return this.#delay(Infinity, [request.signal, this.#epoch.signal]);
  }

  /**
   * Waits `ms` or until a signal aborts. Only a request that never completes normally may pass
   * `request.signal`: reading it makes Deno warn once in its legacy abort mode.
   */
  #delay(ms: number, signals: AbortSignal[] = [this.#epoch.signal]): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        for (const s of signals) s.removeEventListener("abort", done);
        resolve();
      };
      const timer = Number.isFinite(ms) ? setTimeout(done, ms) : undefined;
      for (const s of signals) s.addEventListener("abort", done, { once: true });
      if (signals.some((s) => s.aborted)) done();
    });
  }

  // --- endpoints ---------------------------------------------------------------------------

  #root(): Response {
    return textResponse(200, "Ollama is running");
  }

  #ps(): Response {
    const now = Date.now();
    const models = this.#models
      .filter((m) => (this.#loaded.get(m.name) ?? 0) > now)
      .map((m) => psEntry(m, new Date(Math.min(this.#loaded.get(m.name)!, 8.64e15))));
    return jsonResponse(200, { models });
  }

  #show(request: Request, body: unknown): Promise<Response> | Response {
    const parsed = ShowRequestSchema.safeParse(body);
    if (!parsed.success) return errorResponse(400, zodMessage(parsed.error));
    const name = parsed.data.model || parsed.data.name;
    if (!name) return errorResponse(400, "model is required");
    const model = findModel(this.#models, name);
    if (!model) return errorResponse(404, `model '${name}' not found`);
    return this.#simple("show", request, () => jsonResponse(200, showResponse(model)), name);
  }

  /**
   * A chat or completion reply of any API after parsing: model lookup, load/unload,
   * capabilities, faults, slots, then the plan (tool calls or text) streamed or whole.
   */
  #reply(spec: ReplySpec): Promise<Response> | Response {
    const { errors } = spec;
    if (!spec.model) return errors.status(400, "model is required");
    const model = findModel(this.#models, spec.model);
    if (!model) return errors.notFound(spec.model);
    const keepAlive = keepAliveMs(spec.keepAlive);
    // Ollama loads the model for an empty prompt and unloads it with keep_alive 0
    if (spec.load?.empty) {
      const unload = keepAlive === 0;
      if (unload) this.#loaded.delete(model.name);
      else this.#loaded.set(model.name, Date.now() + keepAlive);
      return jsonResponse(200, spec.load.reply(unload ? "unload" : "load"));
    }
    const missing = missingCapability(model, spec.model, spec.needs, spec.capabilityEndpoint);
    if (missing) return errors.status(400, missing);
    const fault = this.#faults.take(spec.endpoint, spec.model);
    if (fault?.kind === "http500") {
      return errors.status(fault.status ?? 500, fault.message ?? DEFAULT_HTTP_ERROR);
    }
    if (this.#slots.full) return errors.status(503, SERVER_BUSY);

    const plan = this.#plan(spec, model.name);
    if (plan.continuedFrom !== null) this.#counters.continued++;
    const rendering = spec.render(plan, model);
    this.#loaded.set(model.name, Date.now() + keepAlive);
    this.#counters.activeStreams++;
    const slow = fault?.kind === "slow" ? fault : undefined;
    return respondWithGeneration({
      plan: {
        tokens: rendering.tokens,
        continuedFrom: null,
        doneReason: plan.kind === "text" ? plan.doneReason : "stop",
      },
      stream: spec.stream,
      promptEvalCount: countPromptTokens(spec.input),
      firstTokenLatencyMs: slow?.firstTokenLatencyMs ?? this.#firstTokenLatencyMs,
      tokenLatencyMs: slow?.tokenLatencyMs ?? this.#tokenLatencyMs,
      fault: fault?.kind === "closeMidStream" || fault?.kind === "stall" ? fault : null,
      chunk: rendering.chunk,
      done: rendering.done,
      sse: rendering.sse,
      acquireSlot: (signal) => this.#slots.acquire(signal),
      waitsForSlot: this.#slots.busy,
      serverSignal: this.#epoch.signal,
      onToken: () => this.#counters.tokensSent++,
      onEnd: (outcome) => {
        this.#counters.activeStreams--;
        this.#counters[outcome]++;
      },
    }, () => spec.request.signal);
  }

  /** Tool calls when the conversation asks for them (tools.ts), else the text answer. */
  #plan(spec: ReplySpec, model: string): PlannedReply {
    const { input, toolCalls } = spec;
    if (toolCalls && typeof input !== "string") {
      const tools = planToolReply(input, (messages) => toolCalls(model, messages));
      if (tools) return { kind: "tools", ...tools };
    }
    const answerFor = (i: AnswerInput) =>
      this.#answer
        ? this.#answer({ endpoint: spec.answerEndpoint, model, input: i })
        : spec.text(model, i, this.#tokens);
    return { kind: "text", ...planReply(input, answerFor, spec.numPredict, spec.stop) };
  }

  /** Embeddings of any API after parsing: model, capability, faults, slot, context, vectors. */
  async #embed(spec: EmbedSpec): Promise<Response> {
    const { errors } = spec;
    if (!spec.model) return errors.status(400, "model is required");
    const model = findModel(this.#models, spec.model);
    if (!model) return errors.notFound(spec.model);
    const missing = missingCapability(model, spec.model, ["embedding"], "embeddings");
    if (missing) return errors.status(400, missing);
    const fitted = spec.inputs.map((text) => fitContext(text, model.contextLength, spec.truncate));
    if (fitted.some((f) => !f.ok)) {
      return errors.status(400, "input length exceeds maximum context length");
    }
    const start = performance.now();
    const fault = this.#faults.take(spec.endpoint, spec.model);
    if (this.#slots.full) return errors.status(503, SERVER_BUSY);
    const release = await this.#slots.acquire(this.#epoch.signal).catch(() => null);
    if (!release) return brokenResponse("server stopped", JSON_HEADERS);
    try {
      const loaded = performance.now();
      const faulted = await this.#applyFault(fault, spec.endpoint, spec.request);
      if (faulted) return faulted;
      // the time to embed, like the time to a first token (a slow fault has waited it already)
      if (fault?.kind !== "slow") await this.#delay(this.#firstTokenLatencyMs);
      const vectors = fitted.map((f) =>
        expectedEmbedding(model.name, f.ok ? f.text : "", model.embeddingLength, spec.dimensions)
      );
      this.#counters.embeddings += vectors.length;
      this.#loaded.set(model.name, Date.now() + keepAliveMs(spec.keepAlive));
      const ns = (ms: number) => Math.max(1, Math.round(ms * 1e6));
      return spec.respond({
        model,
        vectors,
        promptTokens: fitted.reduce((sum, f) => sum + f.tokens, 0),
        totalNs: ns(performance.now() - start),
        loadNs: ns(loaded - start),
      });
    } finally {
      release();
    }
  }
}

/** Starts an Ollama test double; close it with `close()` (or `await using`). */
export async function startOllamaDouble(options: OllamaDoubleOptions = {}): Promise<OllamaDouble> {
  const double = new OllamaDoubleServer(options);
  await double.start();
  return double;
}
