/**
 * OpenAI's legacy `/v1/completions` for the mesh API: the body validated with zod and turned
 * into a ChatRequest (the prompt as the user's turn; `suffix` makes it fill-in-the-middle,
 * answered as Ollama's `/api/generate`), ChatChunks turned into `text_completion` objects.
 * Pure: no I/O. See docs/llm.md, "Completions".
 */
import { z } from "zod";
import type { ChatChunk, ChatRequest } from "../chat.ts";
import type { MeshTrailer, RoutingHints } from "./ollama_api.ts";
import { type CompletionContext, type FinishReason, finishReason, usageOf } from "./openai_api.ts";

export const OpenAiCompletionBody = z.looseObject({
  model: z.string().max(256),
  prompt: z.union([
    z.string(),
    z.array(z.string()).length(1, "only one prompt per request is supported"),
  ]),
  suffix: z.string().nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().nullish() }).nullish(),
  max_tokens: z.number().int().nonnegative().nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  stop: z.union([z.string(), z.array(z.string()).max(16)]).nullish(),
  seed: z.number().int().nullish(),
  frequency_penalty: z.number().min(-2).max(2).nullish(),
  presence_penalty: z.number().min(-2).max(2).nullish(),
  n: z.literal(1, "only n=1 is supported").nullish(),
  best_of: z.literal(1, "only best_of=1 is supported").nullish(),
  echo: z.literal(false, "echo is not supported through the mesh").nullish(),
  logprobs: z.null("logprobs are not supported through the mesh").nullish(),
  user: z.string().nullish(),
});
export type OpenAiCompletionBody = z.infer<typeof OpenAiCompletionBody>;

export function chatRequestFromCompletion(
  body: OpenAiCompletionBody,
  hints: RoutingHints = {},
): ChatRequest {
  const options: Record<string, unknown> = {};
  if (body.temperature != null) options.temperature = body.temperature;
  if (body.top_p != null) options.top_p = body.top_p;
  // max_tokens 0 means no limit, as in Ollama's compatibility layer
  if (body.max_tokens) options.num_predict = body.max_tokens;
  if (body.stop != null) options.stop = typeof body.stop === "string" ? [body.stop] : body.stop;
  if (body.seed != null) options.seed = body.seed;
  if (body.frequency_penalty != null) options.frequency_penalty = body.frequency_penalty;
  if (body.presence_penalty != null) options.presence_penalty = body.presence_penalty;
  const prompt = typeof body.prompt === "string" ? body.prompt : body.prompt[0];
  return {
    model: body.model,
    messages: [{ role: "user", content: prompt }],
    ...(body.suffix ? { suffix: body.suffix } : {}),
    ...(Object.keys(options).length ? { options } : {}),
    conversationId: hints.conversationId,
    preferredHost: hints.preferredHost,
  };
}

function base(ctx: CompletionContext, model: string) {
  return {
    id: ctx.id,
    object: "text_completion",
    created: ctx.created,
    model,
    system_fingerprint: "fp_neuromesh",
  };
}

/** One streamed `text_completion` chunk; the last carries the finish reason. */
export function textCompletionChunk(
  ctx: CompletionContext,
  model: string,
  text: string,
  finish: FinishReason | null,
) {
  return {
    ...base(ctx, model),
    choices: [{ index: 0, text, logprobs: null, finish_reason: finish }],
  };
}

/** The usage-only chunk sent last when `stream_options.include_usage` is set. */
export function textCompletionUsageChunk(
  ctx: CompletionContext,
  model: string,
  stats: ChatChunk["stats"],
) {
  return { ...base(ctx, model), choices: [], usage: usageOf(stats) };
}

/** The non-streaming `text_completion` answer. */
export function textCompletion(
  ctx: CompletionContext,
  last: ChatChunk,
  text: string,
  trailer: MeshTrailer,
) {
  return {
    ...base(ctx, last.servedBy.model),
    choices: [{
      index: 0,
      text,
      logprobs: null,
      finish_reason: finishReason(last.doneReason),
    }],
    usage: usageOf(last.stats),
    neuromesh: trailer,
  };
}
