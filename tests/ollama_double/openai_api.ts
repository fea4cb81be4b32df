/**
 * The OpenAI-compatible API of the double, as Ollama, llama.cpp, LM Studio or vLLM serve it:
 * `/v1/models` (and `/v1/models/{id}`), `/v1/chat/completions` (streamed deltas, tools with
 * streamed `tool_calls` fragments, `tool` messages, `response_format`), `/v1/completions`
 * (`suffix`, `max_tokens`, `stop`) and `/v1/embeddings` (`encoding_format` float or base64).
 * Answers are the same as on Ollama's API for the same conversation (see answer.ts).
 */
import { countPromptTokens, infillInput } from "./answer.ts";
import type { ApiErrors, Engine, PlannedReply, Rendering, Route } from "./engine.ts";
import { encodeFloat32Base64 } from "./embeddings.ts";
import type { Capability } from "./models.ts";
import { textAnswer } from "./ollama_api.ts";
import {
  chatCompletion,
  chatCompletionChunk,
  type ChatCompletionRequest,
  ChatCompletionRequestSchema,
  CompletionRequestSchema,
  conversationMessage,
  embeddingList,
  EmbeddingRequestSchema,
  type Envelope,
  type FinishReason,
  InvalidImage,
  openAiErrorResponse,
  openAiInvalid,
  openAiModel,
  structuredFormat,
  textCompletion,
  toolChoice,
  usage,
  usageChunk,
} from "./openai_wire.ts";
import { expectedToolCalls, openAiToolCall, openAiToolCallDeltas, type ToolSpec } from "./tools.ts";
import { type DoneReason, jsonResponse, type Metrics } from "./wire.ts";

export const OPENAI_ERRORS: ApiErrors = {
  status: (status, message) => openAiErrorResponse(status, message),
  notFound: (model) =>
    openAiErrorResponse(404, `The model '${model}' does not exist`, "model", "model_not_found"),
};

let lastId = 0;
function envelope(prefix: string, model: string): Envelope {
  return { id: `${prefix}-${++lastId}`, created: Math.floor(Date.now() / 1000), model };
}

const finish = (reason: DoneReason): FinishReason => reason === "length" ? "length" : "stop";

function renderChat(
  e: Envelope,
  req: ChatCompletionRequest,
  promptTokens: number,
  plan: PlannedReply,
): Rendering {
  const used = (m: Metrics) => usage(promptTokens, m.eval_count);
  const withUsage = req.stream_options?.include_usage === true;
  const end = (reason: FinishReason, m: Metrics) => [
    chatCompletionChunk(e, {}, reason),
    ...(withUsage ? [usageChunk(e, "chat.completion.chunk", used(m))] : []),
  ];
  if (plan.kind === "text") {
    return {
      tokens: plan.tokens,
      chunk: (token, i) =>
        chatCompletionChunk(
          e,
          i === 0 ? { role: "assistant", content: token } : { content: token },
          null,
        ),
      done: (content, reason, m) => chatCompletion(e, { content }, finish(reason), used(m)),
      sse: { end: (reason, m) => end(finish(reason), m) },
    };
  }
  const deltas = openAiToolCallDeltas(plan.calls, plan.continuedFrom?.length ?? 0);
  return {
    tokens: deltas.map(() => ""),
    chunk: (_, i) =>
      chatCompletionChunk(
        e,
        i === 0
          ? { role: "assistant", content: null, tool_calls: [deltas[i]] }
          : { tool_calls: [deltas[i]] },
        null,
      ),
    done: (_, __, m) =>
      chatCompletion(
        e,
        { content: null, tool_calls: plan.calls.map(openAiToolCall) },
        "tool_calls",
        used(m),
      ),
    sse: { end: (_, m) => end("tool_calls", m) },
  };
}

function chat(engine: Engine, request: Request, body: unknown): Promise<Response> | Response {
  const parsed = ChatCompletionRequestSchema.safeParse(body);
  if (!parsed.success) return openAiInvalid(parsed.error);
  const req = parsed.data;
  let messages;
  try {
    messages = req.messages.map(conversationMessage);
  } catch (error) {
    if (error instanceof InvalidImage) return openAiErrorResponse(400, error.message, "messages");
    throw error;
  }
  const tools: ToolSpec[] = (req.tools ?? []).map((t) => t.function);
  const choice = toolChoice(req.tool_choice);
  if (typeof choice === "object" && !tools.some((t) => t.name === choice.name)) {
    return openAiErrorResponse(
      400,
      `Invalid value for 'tool_choice': no tool named '${choice.name}' in 'tools'`,
      "tool_choice",
    );
  }
  const needs: Capability[] = ["completion"];
  if (tools.length) needs.push("tools");
  if (messages.some((m) => m.images?.length)) needs.push("vision");
  const e = envelope("chatcmpl", req.model);
  const promptTokens = countPromptTokens(messages);
  return engine.reply({
    endpoint: "v1.chat",
    answerEndpoint: "chat",
    request,
    model: req.model,
    stream: req.stream === true,
    needs,
    capabilityEndpoint: "chat",
    input: messages,
    text: textAnswer(structuredFormat(req.response_format)),
    toolCalls: tools.length
      ? (model, msgs) =>
        expectedToolCalls(model, msgs, tools, choice, req.parallel_tool_calls !== false)
      : undefined,
    numPredict: req.max_completion_tokens ?? req.max_tokens ?? undefined,
    stop: req.stop,
    render: (plan) => renderChat(e, req, promptTokens, plan),
    errors: OPENAI_ERRORS,
  });
}

function completions(
  engine: Engine,
  request: Request,
  body: unknown,
): Promise<Response> | Response {
  const parsed = CompletionRequestSchema.safeParse(body);
  if (!parsed.success) return openAiInvalid(parsed.error);
  const req = parsed.data;
  const suffix = req.suffix ?? "";
  const input = suffix ? infillInput(req.prompt, suffix) : req.prompt;
  const e = envelope("cmpl", req.model);
  const promptTokens = countPromptTokens(req.prompt);
  const used = (m: Metrics) => usage(promptTokens, m.eval_count);
  const withUsage = req.stream_options?.include_usage === true;
  return engine.reply({
    endpoint: "v1.completions",
    answerEndpoint: "generate",
    request,
    model: req.model,
    stream: req.stream === true,
    needs: suffix ? ["completion", "insert"] : ["completion"],
    capabilityEndpoint: "generate",
    input,
    text: textAnswer(null),
    // max_tokens 0 means no limit here, as in Ollama's compatibility layer
    numPredict: req.max_tokens || undefined,
    stop: req.stop,
    render: (plan) => ({
      tokens: plan.kind === "text" ? plan.tokens : [],
      chunk: (token) => textCompletion(e, token, null),
      done: (content, reason, m) => textCompletion(e, content, finish(reason), used(m)),
      sse: {
        end: (reason, m) => [
          textCompletion(e, "", finish(reason)),
          ...(withUsage ? [usageChunk(e, "text_completion", used(m))] : []),
        ],
      },
    }),
    errors: OPENAI_ERRORS,
  });
}

function embeddings(engine: Engine, request: Request, body: unknown): Promise<Response> | Response {
  const parsed = EmbeddingRequestSchema.safeParse(body);
  if (!parsed.success) return openAiInvalid(parsed.error);
  const req = parsed.data;
  return engine.embed({
    endpoint: "v1.embeddings",
    request,
    model: req.model,
    inputs: req.input,
    truncate: true,
    dimensions: req.dimensions ?? undefined,
    errors: OPENAI_ERRORS,
    respond: (r) =>
      jsonResponse(
        200,
        embeddingList(
          req.model,
          req.encoding_format === "base64" ? r.vectors.map(encodeFloat32Base64) : r.vectors,
          r.promptTokens,
        ),
      ),
  });
}

function listModels(engine: Engine, request: Request): Promise<Response> {
  return engine.simple(
    "v1.models",
    request,
    () =>
      jsonResponse(200, { object: "list", data: engine.models().map((m) => openAiModel(m.name)) }),
  );
}

/** `GET /v1/models/{id}` (ids may contain "/" and ":"). */
export function retrieveModel(engine: Engine, request: Request, id: string): Promise<Response> {
  return engine.simple("v1.models", request, () => {
    const wanted = decodeURIComponent(id);
    const found = engine.models().find((m) => m.name === wanted || m.name === `${wanted}:latest`);
    return found ? jsonResponse(200, openAiModel(found.name)) : OPENAI_ERRORS.notFound(wanted);
  });
}

/** The routes of the OpenAI-compatible API (besides `/v1/models/{id}`, see retrieveModel). */
export function openAiRoutes(engine: Engine): Record<string, Route> {
  return {
    "/v1/models": { method: "GET", handle: (r) => listModels(engine, r) },
    "/v1/chat/completions": { method: "POST", handle: (r, body) => chat(engine, r, body) },
    "/v1/completions": { method: "POST", handle: (r, body) => completions(engine, r, body) },
    "/v1/embeddings": { method: "POST", handle: (r, body) => embeddings(engine, r, body) },
  };
}
