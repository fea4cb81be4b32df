/**
 * Ollama's generating endpoints on the double's engine: `/api/chat` (tools, tool results,
 * images, `format`), `/api/generate` (`suffix` fill-in-the-middle, `raw`, `images`, `format`),
 * `/api/embed` and `/api/embeddings`.
 */
import {
  type AnswerInput,
  type ConversationMessage,
  expectedAnswer,
  imagesInput,
  infillInput,
  rawInput,
} from "./answer.ts";
import type { ApiErrors, Engine, PlannedReply, Rendering, Route } from "./engine.ts";
import type { Capability } from "./models.ts";
import { expectedStructuredAnswer, type StructuredFormat } from "./structured.ts";
import { expectedToolCalls, ollamaToolCall, type ToolSpec } from "./tools.ts";
import {
  chatChunk,
  chatDone,
  ChatRequestSchema,
  EmbeddingsRequestSchema,
  EmbedRequestSchema,
  errorResponse,
  generateChunk,
  generateDone,
  GenerateRequestSchema,
  jsonResponse,
  zodMessage,
} from "./wire.ts";

export const OLLAMA_ERRORS: ApiErrors = {
  status: errorResponse,
  notFound: (model) => errorResponse(404, `model '${model}' not found`),
};

/** The text answer: plain, or JSON for `format` ("" and null mean none). */
export function textAnswer(format: StructuredFormat | "" | null | undefined) {
  return (model: string, input: AnswerInput, count: number) =>
    format
      ? expectedStructuredAnswer(model, input, format, count)
      : expectedAnswer(model, input, count);
}

/** `options.num_predict` and `options.stop`, as Ollama reads them. */
function sampling(options: Record<string, unknown> | null | undefined) {
  const stop = options?.stop;
  return {
    numPredict: typeof options?.num_predict === "number" ? options.num_predict : undefined,
    stop: Array.isArray(stop) ? stop.filter((s): s is string => typeof s === "string") : [],
  };
}

function chat(engine: Engine, request: Request, body: unknown): Promise<Response> | Response {
  const parsed = ChatRequestSchema.safeParse(body);
  if (!parsed.success) return errorResponse(400, zodMessage(parsed.error));
  const req = parsed.data;
  const messages: ConversationMessage[] = req.messages.map((m) => ({
    role: m.role,
    content: m.content,
    ...(m.images?.length ? { images: m.images } : {}),
    ...(m.tool_calls?.length
      ? {
        tool_calls: m.tool_calls.map((c) => ({
          name: c.function.name,
          arguments: c.function.arguments,
        })),
      }
      : {}),
    ...(m.tool_name ? { tool_name: m.tool_name } : {}),
  }));
  const tools: ToolSpec[] = (req.tools ?? []).map((t) => t.function);
  const stream = req.stream !== false;
  const needs: Capability[] = ["completion"];
  if (tools.length) needs.push("tools");
  if (messages.some((m) => m.images?.length)) needs.push("vision");
  return engine.reply({
    endpoint: "chat",
    answerEndpoint: "chat",
    request,
    model: req.model,
    stream,
    keepAlive: req.keep_alive,
    load: { empty: messages.length === 0, reply: (reason) => chatDone(req.model, "", reason) },
    needs,
    capabilityEndpoint: "chat",
    input: messages,
    text: textAnswer(req.format),
    toolCalls: tools.length ? (model, msgs) => expectedToolCalls(model, msgs, tools) : undefined,
    ...sampling(req.options),
    render: (plan) => renderChat(req.model, stream, plan),
    errors: OLLAMA_ERRORS,
  });
}

function renderChat(model: string, stream: boolean, plan: PlannedReply): Rendering {
  if (plan.kind === "text") {
    return {
      tokens: plan.tokens,
      chunk: (token) => chatChunk(model, token),
      done: (content, reason, metrics) => chatDone(model, content, reason, metrics),
    };
  }
  const first = plan.continuedFrom?.length ?? 0;
  const calls = plan.calls.map((call, i) => ollamaToolCall(call, first + i));
  return {
    // Ollama streams each parsed call whole, in a chunk of its own
    tokens: plan.calls.map((call) => call.name),
    chunk: (_, i) => chatChunk(model, "", { tool_calls: [calls[i]] }),
    done: (_, reason, metrics) =>
      chatDone(model, "", reason, metrics, stream ? {} : { tool_calls: calls }),
  };
}

function generate(engine: Engine, request: Request, body: unknown): Promise<Response> | Response {
  const parsed = GenerateRequestSchema.safeParse(body);
  if (!parsed.success) return errorResponse(400, zodMessage(parsed.error));
  const req = parsed.data;
  const images = req.images ?? [];
  const suffix = req.suffix ?? "";
  let input = req.raw ? rawInput(req.prompt) : req.prompt;
  if (suffix) input = infillInput(req.prompt, suffix);
  input = imagesInput(input, images);
  const needs: Capability[] = ["completion"];
  if (suffix) needs.push("insert");
  if (images.length) needs.push("vision");
  const stream = req.stream !== false;
  const withContext = !req.raw;
  return engine.reply({
    endpoint: "generate",
    answerEndpoint: "generate",
    request,
    model: req.model,
    stream,
    keepAlive: req.keep_alive,
    load: {
      empty: req.prompt === "" && images.length === 0 && !suffix,
      reply: (reason) => generateDone(req.model, "", reason),
    },
    needs,
    capabilityEndpoint: "generate",
    input,
    text: textAnswer(req.format),
    ...sampling(req.options),
    render: (plan) => ({
      tokens: plan.kind === "text" ? plan.tokens : [],
      chunk: (token) => generateChunk(req.model, token),
      done: (content, reason, metrics) =>
        generateDone(req.model, content, reason, metrics, withContext),
    }),
    errors: OLLAMA_ERRORS,
  });
}

function embed(engine: Engine, request: Request, body: unknown): Promise<Response> | Response {
  const parsed = EmbedRequestSchema.safeParse(body);
  if (!parsed.success) {
    const field = parsed.error.issues[0].path[0];
    return errorResponse(400, field === "input" ? "invalid input type" : zodMessage(parsed.error));
  }
  const req = parsed.data;
  const input = req.input ?? [];
  return engine.embed({
    endpoint: "embed",
    request,
    model: req.model,
    // an empty string embeds nothing, as in Ollama
    inputs: typeof input === "string" ? (input === "" ? [] : [input]) : input,
    truncate: req.truncate !== false,
    dimensions: req.dimensions ?? undefined,
    keepAlive: req.keep_alive,
    errors: OLLAMA_ERRORS,
    respond: (r) =>
      jsonResponse(200, {
        model: req.model,
        embeddings: r.vectors,
        total_duration: r.totalNs,
        load_duration: r.loadNs,
        prompt_eval_count: r.promptTokens,
      }),
  });
}

function embeddings(engine: Engine, request: Request, body: unknown): Promise<Response> | Response {
  const parsed = EmbeddingsRequestSchema.safeParse(body);
  if (!parsed.success) return errorResponse(400, zodMessage(parsed.error));
  const req = parsed.data;
  return engine.embed({
    endpoint: "embeddings",
    request,
    model: req.model,
    inputs: req.prompt === "" ? [] : [req.prompt],
    truncate: true,
    keepAlive: req.keep_alive,
    errors: OLLAMA_ERRORS,
    respond: (r) => jsonResponse(200, { embedding: r.vectors[0] ?? [] }),
  });
}

/** The generating routes of Ollama's API. */
export function ollamaRoutes(engine: Engine): Record<string, Route> {
  return {
    "/api/chat": { method: "POST", handle: (r, body) => chat(engine, r, body) },
    "/api/generate": { method: "POST", handle: (r, body) => generate(engine, r, body) },
    "/api/embed": { method: "POST", handle: (r, body) => embed(engine, r, body) },
    "/api/embeddings": { method: "POST", handle: (r, body) => embeddings(engine, r, body) },
  };
}
