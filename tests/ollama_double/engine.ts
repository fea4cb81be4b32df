/**
 * What the API modules (ollama_api.ts, openai_api.ts) ask of the double's engine in server.ts:
 * a generated reply (text or tool calls, streamed or whole, with faults, slots and latency) and
 * embeddings. Each API says how requests map onto it and how results look on its wire.
 */
import type { AnswerInput, ConversationMessage, ToolCallRecord } from "./answer.ts";
import type { Endpoint } from "./faults.ts";
import type { Capability, DoubleModel } from "./models.ts";
import type { PlannedCall } from "./tools.ts";
import type { DoneReason, Metrics } from "./wire.ts";

/** What a reply will stream, decided before the first token. */
export type PlannedReply =
  | {
    kind: "text";
    tokens: string[];
    /** The assistant prefix this reply continues (a failover re-issue), else null. */
    continuedFrom: string | null;
    doneReason: "stop" | "length";
  }
  | {
    kind: "tools";
    calls: PlannedCall[];
    /** Calls delivered before (a re-issue): this reply holds only the rest. */
    continuedFrom: ToolCallRecord[] | null;
  };

/** How a planned reply looks on the wire: one step per token, then the final object(s). */
export interface Rendering {
  tokens: string[];
  chunk(token: string, index: number): unknown;
  /** The final object; `content` is "" when streamed, the whole text otherwise. */
  done(content: string, doneReason: DoneReason, metrics: Metrics): unknown;
  /** OpenAI's server-sent events instead of NDJSON (see generation.ts). */
  sse?: { end(doneReason: DoneReason, metrics: Metrics): unknown[] };
}

/** Error bodies in the API's own shape. */
export interface ApiErrors {
  status(status: number, message: string): Response;
  notFound(model: string): Response;
}

export interface ReplySpec {
  /** For fault targeting. */
  endpoint: Endpoint;
  /** What an `answer` override is told. */
  answerEndpoint: "chat" | "generate";
  request: Request;
  /** The model as requested. */
  model: string;
  stream: boolean;
  keepAlive?: string | number | null;
  /** Ollama's load/unload reply to an empty prompt; absent where the API has none. */
  load?: { empty: boolean; reply(doneReason: "load" | "unload"): unknown };
  /** Capabilities the request needs, and the endpoint name Ollama's refusal uses. */
  needs: readonly Capability[];
  capabilityEndpoint: string;
  /** The input answers are derived from (prompt, infill/raw key, or messages). */
  input: AnswerInput;
  /** The text answer for `input` (plain, or JSON for structured outputs). */
  text(model: string, input: AnswerInput, count: number): string;
  /** Tool calls planned for a conversation, when the request offers tools. */
  toolCalls?(model: string, messages: readonly ConversationMessage[]): PlannedCall[];
  numPredict?: number;
  stop?: readonly string[];
  render(plan: PlannedReply, model: DoubleModel): Rendering;
  errors: ApiErrors;
}

export interface EmbedResult {
  model: DoubleModel;
  vectors: number[][];
  promptTokens: number;
  totalNs: number;
  loadNs: number;
}

export interface EmbedSpec {
  endpoint: Endpoint;
  request: Request;
  model: string;
  inputs: readonly string[];
  /** Cut inputs longer than the context (Ollama's default) instead of refusing them. */
  truncate: boolean;
  dimensions?: number;
  keepAlive?: string | number | null;
  respond(result: EmbedResult): Response;
  errors: ApiErrors;
}

export interface Engine {
  reply(spec: ReplySpec): Promise<Response> | Response;
  embed(spec: EmbedSpec): Promise<Response>;
  models(): readonly DoubleModel[];
  /** Applies a fault targeting a non-generating endpoint (models lists). */
  simple(endpoint: Endpoint, request: Request, respond: () => Response): Promise<Response>;
}

/** A route of the double: method, and the handler given the parsed JSON body (null for GET). */
export interface Route {
  method: "GET" | "POST";
  head?: boolean;
  handle(request: Request, body: unknown): Response | Promise<Response>;
}
