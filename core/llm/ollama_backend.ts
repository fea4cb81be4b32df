import { Ollama } from "ollama";
import { abortableFetch } from "./abortable_fetch.ts";
import {
  type BackendChatRequest,
  type BackendChunk,
  BackendError,
  type BackendModel,
  type LlmBackend,
} from "./backend.ts";
import type { BackendEmbedRequest, BackendEmbedResult } from "./embed.ts";

export interface OllamaBackendOptions {
  /** Base URL of the local Ollama, e.g. `http://127.0.0.1:11434`. */
  url: string;
  /** Injected for tests; defaults to the global fetch. */
  fetch?: typeof fetch;
}

/** The local Ollama through the official `ollama` npm client. */
export class OllamaBackend implements LlmBackend {
  readonly description: string;
  readonly #url: string;
  readonly #fetch: typeof fetch;

  constructor(options: OllamaBackendOptions) {
    this.#url = options.url.replace(/\/+$/, "");
    this.#fetch = options.fetch ?? fetch;
    this.description = `ollama ${this.#url}`;
  }

  /** A client whose every request also obeys `signal` (the npm client takes none itself). */
  #client(signal?: AbortSignal): Ollama {
    return new Ollama({ host: this.#url, fetch: abortableFetch(this.#fetch, signal) });
  }

  async listModels(signal?: AbortSignal): Promise<BackendModel[]> {
    const list = await wrap("list models", () => this.#client(signal).list());
    return list.models.map((m) => ({
      name: m.name,
      size: m.size ?? 0,
      family: m.details?.family || undefined,
      parameterSize: m.details?.parameter_size || undefined,
      quantization: m.details?.quantization_level || undefined,
      digest: m.digest || undefined,
      modifiedAt: m.modified_at ? new Date(m.modified_at).toISOString() : undefined,
    }));
  }

  async version(signal?: AbortSignal): Promise<string | undefined> {
    return (await wrap("read version", () => this.#client(signal).version())).version;
  }

  embed(request: BackendEmbedRequest, signal: AbortSignal): Promise<BackendEmbedResult> {
    return ollamaEmbed(this.#client(signal), request);
  }

  async *chat(request: BackendChatRequest, signal: AbortSignal): AsyncIterable<BackendChunk> {
    const stream = await wrap(`chat with ${request.model}`, () =>
      this.#client(signal).chat({
        model: request.model,
        messages: request.messages,
        stream: true,
        options: request.options,
        format: request.format as string | object | undefined,
        keep_alive: request.keepAlive,
        think: request.think,
      }));
    try {
      for await (const part of stream) {
        const chunk: BackendChunk = {
          content: part.message?.content ?? "",
          thinking: part.message?.thinking || undefined,
          done: part.done,
        };
        if (part.done) {
          chunk.doneReason = part.done_reason || undefined;
          chunk.stats = {
            promptEvalCount: part.prompt_eval_count,
            evalCount: part.eval_count,
            totalDurationNs: part.total_duration,
            evalDurationNs: part.eval_duration,
            loadDurationNs: part.load_duration,
            promptEvalDurationNs: part.prompt_eval_duration,
          };
        }
        yield chunk;
        if (part.done) return;
      }
    } catch (error) {
      if (signal.aborted) throw signal.reason ?? error;
      throw new BackendError(`chat with ${request.model} broke off: ${(error as Error).message}`);
    } finally {
      stream.abort();
    }
  }
}

/** `/api/embed` of the local Ollama. */
async function ollamaEmbed(
  client: Ollama,
  request: BackendEmbedRequest,
): Promise<BackendEmbedResult> {
  const answer = await wrap(`embed with ${request.model}`, () =>
    client.embed({
      model: request.model,
      input: request.inputs,
      truncate: request.truncate,
      dimensions: request.dimensions,
      keep_alive: request.keepAlive,
      options: request.options,
    }));
  return {
    embeddings: answer.embeddings,
    promptTokens: answer.prompt_eval_count,
    totalDurationNs: answer.total_duration,
    loadDurationNs: answer.load_duration,
  };
}

/** Turns the client's errors into BackendError with the status and what was attempted. */
async function wrap<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if ((error as Error).name === "AbortError") throw error;
    const status = (error as { status_code?: number }).status_code;
    throw new BackendError(`ollama could not ${what}: ${(error as Error).message}`, status);
  }
}
