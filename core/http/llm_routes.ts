/**
 * The mesh API: the Ollama-compatible routes, the OpenAI-compatible routes, embeddings in both, and
 * `/api/mesh/models` (the merged model list with every host) for the page.
 */
import { Hono } from "hono";
import { embedRoutes } from "./embed_routes.ts";
import { llmResponder, type LlmRoutesDeps } from "./llm_http.ts";
import { ollamaRoutes } from "./ollama_routes.ts";
import { openAiRoutes } from "./openai_routes.ts";

export function llmRoutes(deps: LlmRoutesDeps): Hono {
  const app = new Hono();
  const { json } = llmResponder(deps, (_kind, message) => ({ error: message }));
  app.get("/api/mesh/models", (c) => json(c, { models: deps.llm.models() }));
  app.route("/", ollamaRoutes(deps));
  app.route("/", openAiRoutes(deps));
  app.route("/", embedRoutes(deps));
  return app;
}
