import { type Message, Ollama, type Tool } from "ollama";
import { abortableFetch } from "./abortable_fetch.ts";
import {
  type BackendChatRequest,
  type BackendChunk,
  BackendError,
  type BackendModel,
  type LlmBackend,
} from "./backend.ts";
import type { ChatTurn, ToolCall } from "./chat.ts";
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
  readonly ollamaUrl: string;
  readonly #url: string;
  readonly #fetch: typeof fetch;

  constructor(options: OllamaBackendOptions) {
    this.#url = options.url.replace(/\/+$/, "");
    this.#fetch = options.fetch ?? fetch;
    this.description = `ollama ${this.#url}`;
    this.ollamaUrl = this.#url;
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

  #generate(request: BackendChatRequest, signal: AbortSignal): AsyncIterable<BackendChunk> {
    return ollamaGenerate(this.#client(signal), request, signal);
  }

  embed(request: BackendEmbedRequest, signal: AbortSignal): Promise<BackendEmbedResult> {
    return ollamaEmbed(this.#client(signal), request);
  }

  async *chat(request: BackendChatRequest, signal: AbortSignal): AsyncIterable<BackendChunk> {
    if (request.suffix !== undefined || request.raw) {
      yield* this.#generate(request, signal);
      return;
    }
    const stream = await wrap(`chat with ${request.model}`, () =>
      this.#client(signal).chat({
        model: request.model,
        messages: withToolNames(request.messages).map(toOllamaMessage),
        ...ollamaTools(request),
        stream: true,
        options: request.options,
        format: request.format as string | object | undefined,
        keep_alive: request.keepAlive,
        think: request.think,
      }));
    // Ollama has no tool_choice / parallel_tool_calls: `none` and a named function are applied
    // to the tools offered (ollamaTools), `parallelToolCalls: false` here by keeping one call.
    let calls = 0;
    const single = request.parallelToolCalls === false;
    try {
      for await (const part of stream) {
        const chunk: BackendChunk = {
          content: part.message?.content ?? "",
          thinking: part.message?.thinking || undefined,
          done: part.done,
        };
        let toolCalls = (part.message?.tool_calls ?? []).map(fromOllamaCall);
        if (single) toolCalls = toolCalls.slice(0, Math.max(0, 1 - calls));
        calls += toolCalls.length;
        if (toolCalls.length) chunk.toolCalls = toolCalls;
        if (part.done) finishChunk(chunk, part);
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

/** The final chunk's reason and counters, as Ollama reports them on its last chat or generate part. */
function finishChunk(chunk: BackendChunk, part: {
  done_reason?: string;
  prompt_eval_count?: number;
  eval_count?: number;
  total_duration?: number;
  eval_duration?: number;
  load_duration?: number;
  prompt_eval_duration?: number;
}) {
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

/** `/api/generate` of a fill-in-the-middle or raw request, from the turns (see generateFields). */
async function* ollamaGenerate(
  client: Ollama,
  request: BackendChatRequest,
  signal: AbortSignal,
): AsyncIterable<BackendChunk> {
  const stream = await wrap(`generate with ${request.model}`, () =>
    client.generate({
      model: request.model,
      ...generateFields(request),
      stream: true,
      options: request.options,
      format: request.format as string | object | undefined,
      keep_alive: request.keepAlive,
      think: request.think,
    }));
  try {
    for await (const part of stream) {
      const chunk: BackendChunk = {
        content: part.response ?? "",
        thinking: part.thinking || undefined,
        done: part.done,
      };
      if (part.done) finishChunk(chunk, part);
      yield chunk;
      if (part.done) return;
    }
  } catch (error) {
    if (signal.aborted) throw signal.reason ?? error;
    throw new BackendError(
      `generate with ${request.model} broke off: ${(error as Error).message}`,
    );
  } finally {
    stream.abort();
  }
}

/**
 * The turns of a generate-style request as `/api/generate` fields: system turns → `system`,
 * user turns → `prompt` (and their `images`), and assistant turns — the text already delivered
 * before a failover — appended to the prompt, so the model continues after them (for `suffix`,
 * it fills the rest of the middle between the longer prefix and the suffix).
 */
export function generateFields(request: BackendChatRequest): {
  prompt: string;
  system?: string;
  suffix?: string;
  raw?: boolean;
  images?: string[];
} {
  let prompt = "";
  const system: string[] = [];
  const images: string[] = [];
  for (const turn of request.messages) {
    if (turn.role === "system") system.push(turn.content);
    else prompt += turn.content;
    if (turn.images?.length) images.push(...turn.images);
  }
  return {
    prompt,
    ...(system.length ? { system: system.join("\n\n") } : {}),
    ...(request.suffix !== undefined ? { suffix: request.suffix } : {}),
    ...(request.raw ? { raw: true } : {}),
    ...(images.length ? { images } : {}),
  };
}

/** A mesh turn in the `ollama` client's shape (`tool_calls`, `tool_name`). */
export function toOllamaMessage(turn: ChatTurn): Message {
  const message: Message = { role: turn.role, content: turn.content };
  if (turn.images?.length) message.images = turn.images;
  if (turn.toolCalls?.length) {
    message.tool_calls = turn.toolCalls.map((call) => ({
      function: { name: call.name, arguments: call.arguments },
    }));
  }
  if (turn.toolName) message.tool_name = turn.toolName;
  return message;
}

/**
 * Ollama knows a tool result by `tool_name`, OpenAI by `tool_call_id`: a result with only the
 * id gets the name of the call with that id in an earlier assistant turn.
 */
export function withToolNames(turns: readonly ChatTurn[]): ChatTurn[] {
  const names = new Map<string, string>();
  return turns.map((turn) => {
    for (const call of turn.toolCalls ?? []) if (call.id) names.set(call.id, call.name);
    if (turn.role !== "tool" || turn.toolName || !turn.toolCallId) return turn;
    const name = names.get(turn.toolCallId);
    return name ? { ...turn, toolName: name } : turn;
  });
}

/** The tools to offer Ollama, with OpenAI's `tool_choice` applied (Ollama has none). */
export function ollamaTools(request: BackendChatRequest): { tools?: Tool[] } {
  let tools = request.tools ?? [];
  const choice = request.toolChoice;
  if (choice === "none") tools = [];
  else if (typeof choice === "object") tools = tools.filter((t) => t.function.name === choice.name);
  return tools.length ? { tools: tools as Tool[] } : {};
}

function fromOllamaCall(call: { function: { name: string; arguments: unknown } }): ToolCall {
  const args = call.function.arguments;
  return {
    name: call.function.name,
    arguments: typeof args === "string"
      ? parseArguments(args)
      : (args ?? {}) as Record<string, unknown>,
  };
}

function parseArguments(text: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text);
    return typeof value === "object" && value !== null ? value : {};
  } catch {
    return {};
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
