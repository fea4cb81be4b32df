/**
 * The mesh API: the Ollama-compatible routes, the OpenAI-compatible routes, embeddings in both, and
 * `/api/mesh/models` (the merged model list with every host) for the page. Each protocol's
 * routes (and their request schemas) are imported on the first request that needs them: a node
 * nobody calls through the OpenAI API never builds it.
 */
import { type Handler, Hono } from "hono";
import { llmResponder, type LlmRoutesDeps } from "./llm_http.ts";

/** The requests each lazily imported sub-app answers (checked against them in a test). */
export const LAZY_ROUTES = {
  ollama: [
    ["POST", "/api/chat"],
    ["POST", "/api/generate"],
    ["GET", "/api/tags"],
    ["GET", "/api/ps"],
    ["POST", "/api/show"],
    ["GET", "/api/version"],
  ],
  embed: [["POST", "/api/embed"], ["POST", "/api/embeddings"], ["POST", "/v1/embeddings"]],
  // Everything else under /v1 (the sub-app answers 404 for what it does not know).
  openAi: [["ALL", "/v1/*"]],
} as const;

/** What a forwarded sub-app throws for a request it has no route for. */
const NO_ROUTE = Symbol("no route");

/**
 * Forwards to the app `load` makes, loaded once, on the first request. Its failures (a body
 * over its limit included) reach this app's error handler, and a request it has no route for
 * goes on to this app's next routes, as if it were mounted.
 */
function lazy(load: () => Promise<Hono>): Handler {
  let app: Promise<Hono> | undefined;
  const loadOnce = () =>
    app ??= load().then((sub) =>
      sub
        .onError((error) => {
          throw error;
        })
        .notFound(() => {
          throw NO_ROUTE;
        })
    );
  return async (c, next) => {
    try {
      return await (await loadOnce()).fetch(c.req.raw);
    } catch (error) {
      if (error !== NO_ROUTE) throw error;
      await next();
    }
  };
}

export function llmRoutes(deps: LlmRoutesDeps): Hono {
  const app = new Hono();
  const { json } = llmResponder(deps, (_kind, message) => ({ error: message }));
  app.get("/api/mesh/models", (c) => json(c, { models: deps.llm.models() }));
  const handlers = {
    ollama: lazy(async () => (await import("./ollama_routes.ts")).ollamaRoutes(deps)),
    embed: lazy(async () => (await import("./embed_routes.ts")).embedRoutes(deps)),
    openAi: lazy(async () => (await import("./openai_routes.ts")).openAiRoutes(deps)),
  };
  // Embeddings first: /v1/embeddings is theirs, not the OpenAI sub-app's.
  for (const part of ["embed", "ollama", "openAi"] as const) {
    for (const [method, path] of LAZY_ROUTES[part]) {
      if (method === "ALL") app.all(path, handlers[part]);
      else app.on(method, path, handlers[part]);
    }
  }
  return app;
}
