/**
 * Embeddings through the mesh, in both dialects: Ollama's `/api/embed` and `/api/embeddings`
 * (errors `{"error": …}`), OpenAI's `/v1/embeddings` (OpenAI's error object). Mounted by
 * llmRoutes() behind the same request guards as chat; see docs/llm.md ("Embeddings").
 */
import { type Context, Hono } from "hono";
import {
  embedRequestFromOllama,
  embedRequestFromOllamaEmbeddings,
  embedRequestFromOpenAi,
  ollamaEmbedAnswer,
  OllamaEmbedBody,
  ollamaEmbeddingsAnswer,
  OllamaEmbeddingsBody,
  openAiEmbeddingsAnswer,
  OpenAiEmbeddingsBody,
} from "../llm/api/embed_api.ts";
import type { EmbedRequest, EmbedResult } from "../llm/embed.ts";
import {
  headerSafe,
  type LlmResponder,
  llmResponder,
  type LlmRoutesDeps,
  routingHints,
} from "./llm_http.ts";
import { errorBody as openAiErrorBody } from "./openai_routes.ts";

export function embedRoutes(deps: LlmRoutesDeps): Hono {
  const app = new Hono();
  const ollama = llmResponder(deps, (_kind, message) => ({ error: message }));
  const openai = llmResponder(deps, openAiErrorBody);

  /** Embeds through the mesh and answers with `shape`, or the error in the dialect's shape. */
  async function answer(
    c: Context,
    dialect: LlmResponder,
    request: EmbedRequest,
    shape: (result: EmbedResult) => unknown,
  ) {
    try {
      const result = await deps.llm.embed(request, c.req.raw.signal);
      return dialect.json(c, shape(result), 200, {
        "X-NeuroMesh-Host": result.servedBy.nodeId,
        "X-NeuroMesh-Host-Name": headerSafe(result.servedBy.nodeName),
        "X-NeuroMesh-Model": headerSafe(result.servedBy.model),
      });
    } catch (error) {
      return dialect.fail(c, error);
    }
  }

  app.post("/api/embed", async (c) => {
    const body = await ollama.body(c, OllamaEmbedBody);
    if (body instanceof Response) return body;
    const request = embedRequestFromOllama(body, routingHints(c));
    return answer(c, ollama, request, (result) => ollamaEmbedAnswer(body.model, result));
  });

  app.post("/api/embeddings", async (c) => {
    const body = await ollama.body(c, OllamaEmbeddingsBody);
    if (body instanceof Response) return body;
    const request = embedRequestFromOllamaEmbeddings(body, routingHints(c));
    return answer(c, ollama, request, ollamaEmbeddingsAnswer);
  });

  app.post("/v1/embeddings", async (c) => {
    const body = await openai.body(c, OpenAiEmbeddingsBody);
    if (body instanceof Response) return body;
    const request = embedRequestFromOpenAi(body, routingHints(c));
    const format = body.encoding_format ?? "float";
    return answer(
      c,
      openai,
      request,
      (result) => openAiEmbeddingsAnswer(body.model, result, format),
    );
  });

  return app;
}
