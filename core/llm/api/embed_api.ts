/**
 * The embedding endpoints' bodies and answers: Ollama's `/api/embed` and older
 * `/api/embeddings`, OpenAI's `/v1/embeddings`. Bodies are checked by zod (a 400 names the
 * field); answers have each API's own shape. See docs/llm.md ("Embeddings").
 */
import { z } from "zod";
import type { EmbedRequest, EmbedResult } from "../embed.ts";
import { float32Base64 } from "../embed_batch.ts";
import type { RoutingHints } from "./ollama_api.ts";

/** Most inputs in one request (OpenAI's limit; Ollama has none, the mesh keeps this one). */
export const MAX_EMBED_INPUTS = 2048 * 16;

const Model = z.string().min(1, "model is required").max(256);
const KeepAlive = z.union([z.string(), z.number()]);
const Options = z.record(z.string(), z.unknown());

/** `POST /api/embed`: `input` a string or a list of strings. */
export const OllamaEmbedBody = z.looseObject({
  model: Model,
  input: z.union([z.string(), z.array(z.string()).max(MAX_EMBED_INPUTS)]).nullish(),
  truncate: z.boolean().nullish(),
  dimensions: z.number().int().positive().nullish(),
  options: Options.nullish(),
  keep_alive: KeepAlive.nullish(),
});
export type OllamaEmbedBody = z.infer<typeof OllamaEmbedBody>;

/** `POST /api/embeddings` (superseded by /api/embed): one `prompt`, one `embedding`. */
export const OllamaEmbeddingsBody = z.looseObject({
  model: Model,
  prompt: z.string().nullish(),
  options: Options.nullish(),
  keep_alive: KeepAlive.nullish(),
});
export type OllamaEmbeddingsBody = z.infer<typeof OllamaEmbeddingsBody>;

/** `POST /v1/embeddings`: text input only (token arrays are refused, naming `input`). */
export const OpenAiEmbeddingsBody = z.looseObject({
  model: Model,
  input: z.union([
    z.string().min(1, "input must not be empty"),
    z.array(z.string().min(1, "input must not contain empty strings"))
      .min(1, "input must not be empty")
      .max(MAX_EMBED_INPUTS),
  ], { error: "input must be a string or an array of strings (token arrays are not supported)" }),
  encoding_format: z.enum(["float", "base64"]).nullish(),
  dimensions: z.number().int().positive().nullish(),
  user: z.string().nullish(),
});
export type OpenAiEmbeddingsBody = z.infer<typeof OpenAiEmbeddingsBody>;

const hinted = (hints: RoutingHints) =>
  hints.preferredHost ? { preferredHost: hints.preferredHost } : {};

export function embedRequestFromOllama(
  body: OllamaEmbedBody,
  hints: RoutingHints = {},
): EmbedRequest {
  const input = body.input ?? [];
  return {
    model: body.model,
    // An empty string embeds nothing, as in Ollama.
    inputs: typeof input === "string" ? (input === "" ? [] : [input]) : input,
    truncate: body.truncate ?? undefined,
    dimensions: body.dimensions ?? undefined,
    keepAlive: body.keep_alive ?? undefined,
    options: body.options ?? undefined,
    ...hinted(hints),
  };
}

export function embedRequestFromOllamaEmbeddings(
  body: OllamaEmbeddingsBody,
  hints: RoutingHints = {},
): EmbedRequest {
  return {
    model: body.model,
    inputs: body.prompt ? [body.prompt] : [],
    keepAlive: body.keep_alive ?? undefined,
    options: body.options ?? undefined,
    ...hinted(hints),
  };
}

export function embedRequestFromOpenAi(
  body: OpenAiEmbeddingsBody,
  hints: RoutingHints = {},
): EmbedRequest {
  return {
    model: body.model,
    inputs: typeof body.input === "string" ? [body.input] : body.input,
    dimensions: body.dimensions ?? undefined,
    ...hinted(hints),
  };
}

/** `/api/embed`'s answer. `model` is the name the client asked for, as Ollama answers. */
export function ollamaEmbedAnswer(model: string, result: EmbedResult) {
  return {
    model,
    embeddings: result.embeddings,
    total_duration: result.totalDurationNs ?? 0,
    load_duration: result.loadDurationNs ?? 0,
    prompt_eval_count: result.promptTokens ?? 0,
  };
}

/** `/api/embeddings`' answer: the one vector (empty for an empty prompt). */
export function ollamaEmbeddingsAnswer(result: EmbedResult) {
  return { embedding: result.embeddings[0] ?? [] };
}

/** `/v1/embeddings`' answer: a list of embedding objects, float or base64 float32. */
export function openAiEmbeddingsAnswer(
  model: string,
  result: EmbedResult,
  format: "float" | "base64",
) {
  const tokens = result.promptTokens ?? 0;
  return {
    object: "list",
    data: result.embeddings.map((vector, index) => ({
      object: "embedding",
      index,
      embedding: format === "base64" ? float32Base64(vector) : vector,
    })),
    model,
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  };
}
