/**
 * The Ollama-compatible API answered by the whole mesh: `/api/chat`, `/api/generate`,
 * `/api/tags`, `/api/show`, `/api/ps`, `/api/version`. The `ollama` npm client and curl work
 * unchanged; see docs/llm.md.
 */
import { type Context, Hono } from "hono";
import {
  chatRequestFromGenerate,
  chatRequestFromOllama,
  OllamaChatBody,
  ollamaDone,
  type OllamaEndpoint,
  OllamaGenerateBody,
  ollamaPart,
  ollamaPsEntry,
  ollamaShow,
  OllamaShowBody,
  ollamaTagsEntry,
} from "../llm/api/ollama_api.ts";
import { type ChatChunk, ChatError, type ChatRequest, type ToolCall } from "../llm/chat.ts";
import { ollamaPsOf } from "../llm/model_views.ts";
import { sameModel } from "../llm/router.ts";
import { APP_VERSION } from "../version.ts";
import {
  drainChat,
  elapsedNs,
  ndjson,
  startChat,
  type StartedChat,
  streamChat,
  type StreamWriter,
  type Tally,
} from "./chat_stream.ts";
import { llmResponder, type LlmRoutesDeps, routingHints, servedHeaders } from "./llm_http.ts";

/** How long `/api/ps` says a busy model stays loaded. */
const KEEP_ALIVE_MS = 5 * 60_000;

export function ollamaRoutes(deps: LlmRoutesDeps): Hono {
  const app = new Hono();
  const { llm } = deps;
  const { json, fail, body } = llmResponder(deps, (_kind, message) => ({ error: message }));
  const now = () => new Date().toISOString();

  /** Ollama's "load" answer to a chat/generate without input: the model exists and is ready. */
  function loaded(c: Context, model: string, endpoint: OllamaEndpoint) {
    const found = llm.models().find((m) => sameModel(m.name, model));
    if (!found) {
      return fail(c, new ChatError(`model "${model}" is not available on the mesh`, "no_host"));
    }
    const nothing: ChatChunk = {
      content: "",
      done: true,
      doneReason: "load",
      servedBy: { nodeId: deps.nodeId, nodeName: deps.settings().name, model: found.name },
    };
    const text = { content: "", thinking: "" };
    const trailer = { hosts: [], failedOver: false };
    const { neuromesh: _, ...answer } = ollamaDone(endpoint, nothing, text, now(), 0, trailer);
    return json(c, answer);
  }

  async function answer(
    c: Context,
    request: ChatRequest,
    streaming: boolean,
    endpoint: OllamaEndpoint,
  ) {
    let started: StartedChat;
    try {
      started = await startChat(c, llm, request);
    } catch (error) {
      return fail(c, error);
    }
    const done = (
      last: ChatChunk,
      text: { content: string; thinking: string; toolCalls?: ToolCall[] },
      tally: Tally,
    ) => ollamaDone(endpoint, last, text, now(), elapsedNs(started), tally.trailer());
    if (!streaming) {
      try {
        const tally = await drainChat(started);
        return json(c, done(tally.last!, tally, tally), 200, servedHeaders(started.first));
      } catch (error) {
        return fail(c, error);
      }
    }
    const writer: StreamWriter = {
      contentType: "application/x-ndjson",
      encode: ndjson,
      chunk: (chunk, tally) => {
        // Tally already holds this chunk's calls: number them after the earlier ones.
        const before = tally.toolCalls.length - (chunk.toolCalls?.length ?? 0);
        const text = { content: chunk.content, thinking: chunk.thinking ?? "" };
        if (chunk.done) return [done(chunk, { ...text, toolCalls: chunk.toolCalls }, tally)];
        return chunk.content || chunk.thinking || chunk.toolCalls?.length
          ? [ollamaPart(endpoint, chunk, now(), before)]
          : [];
      },
      error: (_kind, message) => ({ error: message }),
    };
    return new Response(streamChat(started, writer), {
      headers: { "Content-Type": writer.contentType, ...servedHeaders(started.first) },
    });
  }

  app.post("/api/chat", async (c) => {
    const parsed = await body(c, OllamaChatBody);
    if (parsed instanceof Response) return parsed;
    if (parsed.messages.length === 0) return loaded(c, parsed.model, "chat");
    const request = chatRequestFromOllama(parsed, routingHints(c));
    return answer(c, request, parsed.stream !== false, "chat");
  });

  app.post("/api/generate", async (c) => {
    const parsed = await body(c, OllamaGenerateBody);
    if (parsed instanceof Response) return parsed;
    if (!parsed.prompt && !parsed.images?.length && !parsed.suffix) {
      return loaded(c, parsed.model, "generate");
    }
    const request = chatRequestFromGenerate(parsed, routingHints(c));
    return answer(c, request, parsed.stream !== false, "generate");
  });

  app.get("/api/tags", (c) => json(c, { models: llm.models().map(ollamaTagsEntry) }));

  app.get("/api/ps", async (c) => {
    if (deps.views) return json(c, { models: (await deps.views.ps()).map(ollamaPsOf) });
    const expires = new Date(Date.now() + KEEP_ALIVE_MS).toISOString();
    const busy = llm.models().filter((m) => m.hosts.some((h) => h.inFlight > 0));
    return json(c, { models: busy.map((m) => ollamaPsEntry(m, expires)) });
  });

  app.post("/api/show", async (c) => {
    const parsed = await body(c, OllamaShowBody);
    if (parsed instanceof Response) return parsed;
    const name = parsed.model || parsed.name || "";
    const found = llm.models().find((m) => sameModel(m.name, name));
    if (!found) return json(c, { error: `model "${name}" not found on the mesh` }, 404);
    const asked = await deps.views?.show(found.name, parsed.verbose === true);
    if (asked?.found) {
      return json(c, { ...asked.show, neuromesh: asked.host });
    }
    // no host could answer from its backend (e.g. OpenAI-compatible ones): what the mesh knows
    return json(c, ollamaShow(found));
  });

  app.get(
    "/api/version",
    (c) => json(c, { version: llm.backendVersion() ?? deps.version ?? APP_VERSION }),
  );

  return app;
}
