/**
 * A small typed client of a running node's HTTP API, for the command line (`neuromesh ls`, `ps`,
 * `status`, `run`). Answers are validated with zod (loosely: fields the CLI does not show may be
 * added or missing), so a node of another version yields a clear error, not a crash.
 */
import { z } from "zod";
import { readLines } from "./lines.ts";

/** No node answers at the address: the one line the CLI prints, naming how to start one. */
export class NodeUnreachable extends Error {
  constructor(readonly url: string, cause?: unknown) {
    super(`no NeuroMesh node answers at ${url}: start one with \`neuromesh\``, { cause });
    this.name = "NodeUnreachable";
  }
}

/** The node answered with an error (`{"error": …}`), or with something the CLI cannot read. */
export class NodeApiError extends Error {
  constructor(message: string, readonly status: number | null = null) {
    super(message);
    this.name = "NodeApiError";
  }
}

const Load = z.looseObject({
  inFlight: z.number(),
  capacity: z.number(),
  queued: z.number().default(0),
});
export type Load = z.infer<typeof Load>;

const Security = z.looseObject({
  trustMode: z.string(),
  encryptedLinks: z.boolean(),
  pending: z.number(),
  alerts: z.number(),
  apiTokenRequired: z.boolean(),
});

const NodeView = z.looseObject({
  id: z.string(),
  shortId: z.string(),
  name: z.string(),
  version: z.string(),
  protocolVersion: z.number().optional(),
  uptimeSec: z.number(),
  hasLlm: z.boolean(),
  models: z.array(z.string()),
  load: Load,
  security: Security.optional(),
});

const PeerView = z.looseObject({
  id: z.string(),
  shortId: z.string(),
  name: z.string(),
  address: z.string(),
  state: z.string(),
  hasLlm: z.boolean(),
  rttMs: z.number().nullable(),
  models: z.array(z.string()),
  load: Load.nullable(),
});

/** `GET /api/status`. */
export const StatusSchema = z.looseObject({ node: NodeView, peers: z.array(PeerView) });
export type Status = z.infer<typeof StatusSchema>;

/** A host of a model, as `/api/tags` and `/api/ps` list them (`nodeId` accepted for `id`). */
const Host = z.looseObject({
  id: z.string().optional(),
  nodeId: z.string().optional(),
  name: z.string(),
  local: z.boolean().optional(),
  expires_at: z.string().optional(),
});
export type Host = z.infer<typeof Host>;

const Details = z.looseObject({
  parameter_size: z.string().optional(),
  quantization_level: z.string().optional(),
}).nullish();

/** `GET /api/tags`: the models of the mesh, each with its hosts. */
export const TagsSchema = z.looseObject({
  models: z.array(z.looseObject({
    name: z.string(),
    size: z.number().optional(),
    details: Details,
    hosts: z.array(Host).default([]),
  })),
});
export type Tags = z.infer<typeof TagsSchema>;

/** `GET /api/ps`: the models loaded or generating, with where (`hosts`, or one `host`). */
export const PsSchema = z.looseObject({
  models: z.array(z.looseObject({
    name: z.string(),
    size: z.number().optional(),
    size_vram: z.number().optional(),
    expires_at: z.string().optional(),
    hosts: z.array(Host).optional(),
    host: z.union([Host, z.string()]).optional(),
  })),
});
export type Ps = z.infer<typeof PsSchema>;

/** `GET /api/trust`. */
export const TrustSchema = z.looseObject({
  mode: z.string(),
  plaintextLinks: z.boolean().optional(),
  nodes: z.array(z.looseObject({
    nodeId: z.string(),
    status: z.string(),
    name: z.string().optional(),
  })),
  alerts: z.array(z.looseObject({
    at: z.number(),
    nodeId: z.string(),
    address: z.string().optional(),
    reason: z.string(),
  })),
});
export type Trust = z.infer<typeof TrustSchema>;

/** One NDJSON object of a streamed `/api/chat` answer. */
export const ChatLineSchema = z.looseObject({
  message: z.looseObject({ content: z.string().nullish() }).optional(),
  done: z.boolean().optional(),
  error: z.string().optional(),
  neuromesh: z.looseObject({
    hosts: z.array(z.looseObject({ name: z.string(), model: z.string().optional() })),
    failedOver: z.boolean(),
  }).optional(),
});
export type ChatLine = z.infer<typeof ChatLineSchema>;

export interface ChatMessage {
  role: "user" | "assistant" | "system";
  content: string;
}

export interface NodeClientOptions {
  /** e.g. "http://127.0.0.1:8080" (no trailing slash needed). */
  url: string;
  /** API token, sent as `Authorization: Bearer …` (needed beyond loopback). */
  token?: string;
  /** Deadline of the non-streaming calls. @default 10000 */
  timeoutMs?: number;
}

function describe(error: z.ZodError): string {
  const issue = error.issues[0];
  return `${issue.path.join(".") || "body"}: ${issue.message}`;
}

export class NodeClient {
  readonly url: string;
  readonly #token: string | undefined;
  readonly #timeoutMs: number;

  constructor(options: NodeClientOptions) {
    this.url = options.url.replace(/\/+$/, "");
    this.#token = options.token;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
  }

  status(): Promise<Status> {
    return this.#get("/api/status", StatusSchema);
  }

  tags(): Promise<Tags> {
    return this.#get("/api/tags", TagsSchema);
  }

  ps(): Promise<Ps> {
    return this.#get("/api/ps", PsSchema);
  }

  trust(): Promise<Trust> {
    return this.#get("/api/trust", TrustSchema);
  }

  /**
   * Streams an answer of `/api/chat`: yields each NDJSON object in order; an `{"error": …}`
   * object or a broken stream throws NodeApiError.
   */
  async *chat(
    model: string,
    messages: readonly ChatMessage[],
    signal?: AbortSignal,
  ): AsyncGenerator<ChatLine> {
    const response = await this.#fetch("/api/chat", {
      method: "POST",
      body: JSON.stringify({ model, messages, stream: true }),
      signal,
    });
    if (!response.body) throw new NodeApiError(`${this.url}/api/chat sent no answer`);
    const parse = (line: string): ChatLine => {
      let json: unknown;
      try {
        json = JSON.parse(line);
      } catch {
        throw new NodeApiError(
          `${this.url}/api/chat sent a line that is not JSON: ${line.slice(0, 80)}`,
        );
      }
      const parsed = ChatLineSchema.safeParse(json);
      if (!parsed.success) {
        throw new NodeApiError(
          `unexpected answer from ${this.url}/api/chat: ${describe(parsed.error)}`,
        );
      }
      if (parsed.data.error) throw new NodeApiError(parsed.data.error);
      return parsed.data;
    };
    const lines = readLines(response.body);
    try {
      while (true) {
        let next: IteratorResult<string>;
        try {
          next = await lines.next();
        } catch (error) {
          if (signal?.aborted) throw error;
          throw new NodeApiError(
            `the answer from ${this.url} broke off: ${(error as Error).message}`,
          );
        }
        if (next.done) return;
        if (next.value.trim()) yield parse(next.value);
      }
    } finally {
      // a caller that stops early (or an error) releases the connection
      await lines.return(undefined);
    }
  }

  async #get<T>(path: string, schema: z.ZodType<T>): Promise<T> {
    const response = await this.#fetch(path, { signal: AbortSignal.timeout(this.#timeoutMs) });
    let json: unknown;
    try {
      json = await response.json();
    } catch (error) {
      throw new NodeApiError(`${this.url}${path} sent no JSON: ${(error as Error).message}`);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      throw new NodeApiError(
        `unexpected answer from ${this.url}${path}: ${describe(parsed.error)}`,
      );
    }
    return parsed.data;
  }

  /** A request whose answer is 2xx; unreachable nodes and error answers become clear errors. */
  async #fetch(path: string, init: RequestInit): Promise<Response> {
    const headers: Record<string, string> = { accept: "application/json" };
    if (init.body) headers["content-type"] = "application/json";
    if (this.#token) headers.authorization = `Bearer ${this.#token}`;
    let response: Response;
    try {
      response = await fetch(`${this.url}${path}`, { ...init, headers });
    } catch (error) {
      if (init.signal?.aborted && (init.signal.reason as Error)?.name === "TimeoutError") {
        throw new NodeApiError(`${this.url}${path} did not answer in ${this.#timeoutMs} ms`);
      }
      if (error instanceof TypeError) throw new NodeUnreachable(this.url, error);
      throw error;
    }
    if (response.ok) return response;
    const text = await response.text().catch(() => "");
    let message = text.trim().slice(0, 300) || response.statusText;
    try {
      const body = JSON.parse(text);
      message = typeof body.error === "string" ? body.error : body.error?.message ?? message;
    } catch { /* not JSON: keep the text */ }
    const hint = response.status === 401 && !this.#token
      ? " (give the node's API token with --http-token or NEUROMESH_HTTP_TOKEN)"
      : "";
    throw new NodeApiError(
      `${this.url}${path}: ${response.status} ${message}${hint}`,
      response.status,
    );
  }
}
