/**
 * The OpenAI-compatible API answered by the whole mesh: `/v1/chat/completions` (streamed as
 * server-sent events or whole), `/v1/completions` (prompt, `suffix` fill-in-the-middle) and
 * `/v1/models`. The `openai` npm client works unchanged; see
 * docs/llm.md.
 */
import { Hono } from "hono";
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
  openAiToolCallDeltas,
  openAiUsageChunk,
} from "../llm/api/openai_api.ts";
import {
  chatRequestFromCompletion,
  OpenAiCompletionBody,
  textCompletion,
  textCompletionChunk,
  textCompletionUsageChunk,
} from "../llm/api/completions_api.ts";
import { sameModel } from "../llm/router.ts";
import {
  drainChat,
  sse,
  startChat,
  type StartedChat,
  streamChat,
  type StreamWriter,
} from "./chat_stream.ts";
import {
  type ErrorBody,
  type ErrorKind,
  llmResponder,
  type LlmRoutesDeps,
  routingHints,
  servedHeaders,
} from "./llm_http.ts";

const OPENAI_TYPE: Record<ErrorKind, OpenAiErrorType> = {
  bad_request: "invalid_request_error",
  not_found: "not_found_error",
  rate_limited: "rate_limit_error",
  busy: "rate_limit_error",
  no_host: "server_error",
  upstream: "server_error",
  internal: "server_error",
};

/** OpenAI's error object: a type for the kind, and the kind as code unless the input is at fault. */
export const errorBody: ErrorBody = (kind, message, param) =>
  openAiError(message, OPENAI_TYPE[kind], kind === "bad_request" ? null : kind, param);

export function openAiRoutes(deps: LlmRoutesDeps): Hono {
  const app = new Hono();
  const { llm } = deps;
  const { json, fail, body } = llmResponder(deps, errorBody);

  app.get("/v1/models", (c) => json(c, openAiModelList(llm.models())));

  app.get("/v1/models/*", (c) => {
    const id = decodeURIComponent(c.req.path.slice("/v1/models/".length));
    const found = llm.models().find((m) => sameModel(m.name, id));
    if (found) return json(c, openAiModel(found));
    const error = openAiError(
      `The model '${id}' does not exist`,
      "not_found_error",
      "model_not_found",
      "model",
    );
    return json(c, error, 404);
  });

  app.post("/v1/chat/completions", async (c) => {
    const parsed = await body(c, OpenAiChatBody);
    if (parsed instanceof Response) return parsed;
    let started: StartedChat;
    try {
      started = await startChat(c, llm, chatRequestFromOpenAi(parsed, routingHints(c)));
    } catch (error) {
      return fail(c, error);
    }
    const ctx: CompletionContext = {
      id: `chatcmpl-${crypto.randomUUID().replaceAll("-", "").slice(0, 24)}`,
      created: Math.floor(Date.now() / 1000),
    };
    if (!parsed.stream) {
      try {
        const tally = await drainChat(started);
        const completion = openAiCompletion(ctx, tally.last!, tally, tally.trailer());
        return json(c, completion, 200, servedHeaders(started.first));
      } catch (error) {
        return fail(c, error);
      }
    }
    const writer = completionWriter(ctx, parsed.stream_options?.include_usage === true);
    return new Response(streamChat(started, writer), {
      headers: {
        "Content-Type": writer.contentType,
        "Cache-Control": "no-cache",
        ...servedHeaders(started.first),
      },
    });
  });

  app.post("/v1/completions", async (c) => {
    const parsed = await body(c, OpenAiCompletionBody);
    if (parsed instanceof Response) return parsed;
    let started: StartedChat;
    try {
      started = await startChat(c, llm, chatRequestFromCompletion(parsed, routingHints(c)));
    } catch (error) {
      return fail(c, error);
    }
    const ctx: CompletionContext = {
      id: `cmpl-${crypto.randomUUID().replaceAll("-", "").slice(0, 24)}`,
      created: Math.floor(Date.now() / 1000),
    };
    if (!parsed.stream) {
      try {
        const tally = await drainChat(started);
        const completion = textCompletion(ctx, tally.last!, tally.content, tally.trailer());
        return json(c, completion, 200, servedHeaders(started.first));
      } catch (error) {
        return fail(c, error);
      }
    }
    const includeUsage = parsed.stream_options?.include_usage === true;
    const writer: StreamWriter = {
      contentType: "text/event-stream",
      encode: sse,
      chunk: (chunk, tally) => {
        const model = chunk.servedBy.model;
        const out: Record<string, unknown>[] = [];
        if (chunk.content) out.push(textCompletionChunk(ctx, model, chunk.content, null));
        if (chunk.done) {
          out.push(textCompletionChunk(ctx, model, "", finishReason(chunk.doneReason)));
          if (includeUsage) out.push(textCompletionUsageChunk(ctx, model, chunk.stats));
          out[out.length - 1] = { ...out[out.length - 1], neuromesh: tally.trailer() };
        }
        return out;
      },
      error: (kind, message) => errorBody(kind, message, null),
      end: "data: [DONE]\n\n",
    };
    return new Response(streamChat(started, writer), {
      headers: {
        "Content-Type": writer.contentType,
        "Cache-Control": "no-cache",
        ...servedHeaders(started.first),
      },
    });
  });

  return app;
}

/** Chat completion chunks as server-sent events: the role once, text, the finish, usage. */
function completionWriter(ctx: CompletionContext, includeUsage: boolean): StreamWriter {
  let sentRole = false;
  return {
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
      const calls = chunk.toolCalls ?? [];
      if (calls.length) {
        // Each call whole in one delta (id, name and all arguments), numbered across the answer.
        const first = tally.toolCalls.length - calls.length;
        out.push(openAiChunk(ctx, model, {
          ...(sentRole ? {} : { role: "assistant" as const, content: null }),
          tool_calls: openAiToolCallDeltas(calls, first),
        }, null));
        sentRole = true;
      }
      if (chunk.done) {
        const delta = sentRole ? {} : { role: "assistant" as const, content: "" };
        const finish = finishReason(chunk.doneReason, tally.toolCalls.length > 0);
        out.push(openAiChunk(ctx, model, delta, finish));
        if (includeUsage) out.push(openAiUsageChunk(ctx, model, chunk.stats));
        out[out.length - 1] = { ...out[out.length - 1], neuromesh: tally.trailer() };
      }
      return out;
    },
    error: (kind, message) => errorBody(kind, message, null),
    end: "data: [DONE]\n\n",
  };
}
