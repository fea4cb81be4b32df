import type { BackendChatRequest, BackendChunk, BackendModel, LlmBackend } from "./backend.ts";
import { BackendError } from "./backend.ts";
import type { BackendEmbedRequest, BackendEmbedResult } from "./embed.ts";
import type { OllamaBackend } from "./ollama_backend.ts";

/** How long "is anything listening there?" may take before the backend counts as down. */
const REACH_TIMEOUT_MS = 2_000;

/**
 * The local Ollama, with the `ollama` npm client (ollama_backend.ts) imported only once
 * something answers at its address: most devices of a mesh run no Ollama and probe it every
 * few seconds, and a refused TCP connection tells them so without loading the client and its
 * fetch polyfill (~46 ms and several MB at start). Once loaded, every call goes to the client.
 */
export class LazyOllamaBackend implements LlmBackend {
  readonly description: string;
  readonly ollamaUrl: string;
  readonly #url: URL;
  #backend: OllamaBackend | undefined;

  constructor(url: string) {
    this.#url = new URL(url);
    this.ollamaUrl = url.replace(/\/+$/, "");
    this.description = `ollama ${this.ollamaUrl}`;
  }

  async listModels(signal?: AbortSignal): Promise<BackendModel[]> {
    return await (await this.#loaded(signal)).listModels(signal);
  }

  async version(signal?: AbortSignal): Promise<string | undefined> {
    return await (await this.#loaded(signal)).version(signal);
  }

  async *chat(request: BackendChatRequest, signal: AbortSignal): AsyncIterable<BackendChunk> {
    yield* (await this.#loaded(signal)).chat(request, signal);
  }

  async embed(request: BackendEmbedRequest, signal: AbortSignal): Promise<BackendEmbedResult> {
    return await (await this.#loaded(signal)).embed(request, signal);
  }

  async #loaded(signal?: AbortSignal): Promise<OllamaBackend> {
    if (this.#backend) return this.#backend;
    await this.#reachable(signal);
    const { OllamaBackend } = await import("./ollama_backend.ts");
    return this.#backend ??= new OllamaBackend({ url: this.#url.href });
  }

  /** Throws BackendError unless a TCP connection to the server's address opens. */
  async #reachable(signal?: AbortSignal): Promise<void> {
    const port = Number(this.#url.port) || (this.#url.protocol === "https:" ? 443 : 80);
    const hostname = this.#url.hostname.replace(/^\[(.*)\]$/, "$1");
    // A controller held here, not AbortSignal.any(): its combined signal may be collected
    // mid-connect (see abortable_fetch.ts).
    const controller = new AbortController();
    const stop = () => controller.abort();
    const timer = setTimeout(stop, REACH_TIMEOUT_MS);
    signal?.addEventListener("abort", stop, { once: true });
    try {
      const conn = await Deno.connect({ hostname, port, signal: controller.signal });
      conn.close();
    } catch (error) {
      signal?.throwIfAborted();
      const reason = controller.signal.aborted
        ? `no answer within ${REACH_TIMEOUT_MS} ms`
        : (error as Error).message;
      throw new BackendError(`Ollama is not reachable at ${this.#url.origin}: ${reason}`);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener("abort", stop);
    }
  }
}
