import OpenAI from "openai";
import { abortableFetch } from "./abortable_fetch.ts";
import {
  type BackendChatRequest,
  type BackendChunk,
  BackendError,
  type BackendModel,
  type LlmBackend,
} from "./backend.ts";
import type { ToolCall } from "./chat.ts";
import type { BackendEmbedRequest, BackendEmbedResult } from "./embed.ts";

export interface OpenAiBackendOptions {
  /** Base URL of the local server, with or without `/v1`, e.g. `http://127.0.0.1:8081`. */
  url: string;
  /** Sent as the bearer token; local servers usually ignore it. @default "none" */
  apiKey?: string;
  fetch?: typeof fetch;
}

/**
 * A local OpenAI-compatible server (llama.cpp's server, LM Studio, vLLM) through the `openai`
 * npm client. Ollama options are mapped to their OpenAI equivalents; unknown ones are dropped.
 */
export class OpenAiBackend implements LlmBackend {
  readonly description: string;
  readonly #baseUrl: string;
  readonly #apiKey: string;
  readonly #fetch: typeof fetch;

  constructor(options: OpenAiBackendOptions) {
    this.#baseUrl = `${options.url.replace(/\/+$/, "").replace(/\/v1$/, "")}/v1`;
    this.#apiKey = options.apiKey ?? "none";
    this.#fetch = options.fetch ?? fetch;
    this.description = `openai ${this.#baseUrl}`;
  }

  #client(signal?: AbortSignal): OpenAI {
    return new OpenAI({
      baseURL: this.#baseUrl,
      apiKey: this.#apiKey,
      maxRetries: 0,
      fetch: abortableFetch(this.#fetch, signal),
    });
  }

  async listModels(signal?: AbortSignal): Promise<BackendModel[]> {
    const models: BackendModel[] = [];
    await wrap("list models", async () => {
      for await (const model of this.#client(signal).models.list({ signal })) {
        models.push({
          name: model.id,
          size: 0,
          modifiedAt: model.created ? new Date(model.created * 1000).toISOString() : undefined,
        });
      }
    });
    return models;
  }

  version(): Promise<string | undefined> {
    return Promise.resolve(undefined);
  }

  /** `/v1/embeddings` (float32 as base64 on the wire, decoded by the client); no `truncate`. */
  async embed(request: BackendEmbedRequest, signal: AbortSignal): Promise<BackendEmbedResult> {
    if (request.inputs.length === 0) return { embeddings: [] };
    const answer = await wrap(
      `embed with ${request.model}`,
      () =>
        this.#client(signal).embeddings.create({
          model: request.model,
          input: request.inputs,
          ...(request.dimensions ? { dimensions: request.dimensions } : {}),
        }, { signal }),
    );
    const embeddings: number[][] = new Array(request.inputs.length);
    for (const item of answer.data) embeddings[item.index] = item.embedding;
    if (answer.data.length !== request.inputs.length || embeddings.some((e) => !e)) {
      throw new BackendError(
        `the server answered ${answer.data.length} embeddings for ${request.inputs.length} inputs`,
      );
    }
    return { embeddings, promptTokens: answer.usage?.prompt_tokens };
  }

  async *chat(request: BackendChatRequest, signal: AbortSignal): AsyncIterable<BackendChunk> {
    if (request.suffix !== undefined || request.raw) {
      // chat completions have neither; Ollama hosts answer these (docs/llm.md, "Completions")
      throw new BackendError(
        `${
          request.suffix !== undefined ? "suffix" : "raw"
        } is not supported by an OpenAI-compatible backend`,
        400,
      );
    }
    const stream = await wrap(
      `chat with ${request.model}`,
      () =>
        this.#client(signal).chat.completions.create({
          model: request.model,
          messages: withToolCallIds(request.messages).map(toOpenAiMessage),
          stream: true,
          stream_options: { include_usage: true },
          ...toOpenAiParameters(request),
        }, { signal }),
    );
    let finish: string | undefined;
    let startedAt: number | undefined;
    const calls = new CallAssembler();
    try {
      for await (const event of stream) {
        const choice = event.choices[0];
        const delta = choice?.delta as {
          content?: string | null;
          reasoning_content?: string;
          reasoning?: string;
          tool_calls?: ToolCallDelta[];
        };
        for (const piece of delta?.tool_calls ?? []) calls.add(piece);
        const content = delta?.content ?? "";
        const thinking = delta?.reasoning_content ?? delta?.reasoning ?? undefined;
        if (content || thinking) {
          startedAt ??= performance.now();
          yield { content, thinking: thinking || undefined, done: false };
        }
        if (choice?.finish_reason) {
          finish = choice.finish_reason;
          // Calls are assembled from their deltas and passed on whole once the choice finishes.
          const toolCalls = calls.take();
          if (toolCalls.length) yield { content: "", toolCalls, done: false };
        }
        if (event.usage) {
          yield {
            content: "",
            done: true,
            doneReason: finish === "length" ? "length" : "stop",
            stats: {
              promptEvalCount: event.usage.prompt_tokens,
              evalCount: event.usage.completion_tokens,
              evalDurationNs: startedAt
                ? Math.round((performance.now() - startedAt) * 1e6)
                : undefined,
            },
          };
          return;
        }
      }
      // Servers that ignore include_usage end without a usage chunk.
      if (finish) {
        yield { content: "", done: true, doneReason: finish === "length" ? "length" : "stop" };
        return;
      }
      throw new BackendError(`the answer of ${request.model} ended without a finish reason`);
    } catch (error) {
      if (signal.aborted) throw signal.reason ?? error;
      if (error instanceof BackendError) throw error;
      throw new BackendError(`chat with ${request.model} broke off: ${(error as Error).message}`);
    }
  }
}

type OpenAiMessage = OpenAI.Chat.Completions.ChatCompletionMessageParam;
type Turn = BackendChatRequest["messages"][number];

/**
 * OpenAI-compatible servers know a tool result by `tool_call_id`; Ollama's clients send its
 * `tool_name` (the `ollama` client) or nothing (LangChain, the AI SDK). A result without an id
 * gets the id of the call it answers: the first unanswered call of the latest assistant turn with
 * its name, else the first unanswered one. Calls without an id get `call_N` (N: their index).
 */
export function withToolCallIds(turns: readonly Turn[]): Turn[] {
  let open: ToolCall[] = [];
  return turns.map((turn) => {
    if (turn.role === "assistant" && turn.toolCalls?.length) {
      const toolCalls = turn.toolCalls.map((call, i) =>
        call.id ? call : { ...call, id: `call_${i}` }
      );
      open = [...toolCalls];
      return { ...turn, toolCalls };
    }
    if (turn.role !== "tool") return turn;
    const answered = turn.toolCallId
      ? open.find((call) => call.id === turn.toolCallId)
      : open.find((call) => call.name === turn.toolName) ?? open[0];
    open = open.filter((call) => call !== answered);
    return turn.toolCallId || !answered ? turn : { ...turn, toolCallId: answered.id };
  });
}

function toOpenAiMessage(turn: Turn): OpenAiMessage {
  if (turn.role === "user" && turn.images?.length) {
    return {
      role: "user",
      content: [
        { type: "text", text: turn.content },
        ...turn.images.map((image) => ({
          type: "image_url" as const,
          image_url: { url: image.startsWith("data:") ? image : `data:image/png;base64,${image}` },
        })),
      ],
    };
  }
  if (turn.role === "tool") {
    return { role: "tool", content: turn.content, tool_call_id: turn.toolCallId ?? "" };
  }
  if (turn.role === "assistant" && turn.toolCalls?.length) {
    return {
      role: "assistant",
      content: turn.content || null,
      tool_calls: turn.toolCalls.map((call, i) => ({
        id: call.id ?? `call_${i}`,
        type: "function" as const,
        function: { name: call.name, arguments: JSON.stringify(call.arguments) },
      })),
    };
  }
  return { role: turn.role, content: turn.content };
}

interface ToolCallDelta {
  index: number;
  id?: string;
  function?: { name?: string; arguments?: string };
}

/** Joins streamed `tool_calls` deltas (id and name first, then argument fragments) by index. */
export class CallAssembler {
  #calls = new Map<number, { id?: string; name: string; arguments: string }>();

  add(delta: ToolCallDelta): void {
    const call = this.#calls.get(delta.index) ?? { name: "", arguments: "" };
    if (delta.id) call.id = delta.id;
    if (delta.function?.name) call.name += delta.function.name;
    if (delta.function?.arguments) call.arguments += delta.function.arguments;
    this.#calls.set(delta.index, call);
  }

  /** The calls so far, whole, in index order; forgets them. */
  take(): ToolCall[] {
    const calls = [...this.#calls.entries()].sort(([a], [b]) => a - b).map(([, call]) => {
      let args: unknown = {};
      try {
        args = call.arguments.trim() ? JSON.parse(call.arguments) : {};
      } catch {
        throw new BackendError(`the server sent tool call arguments that are not JSON`);
      }
      return {
        ...(call.id ? { id: call.id } : {}),
        name: call.name,
        arguments: (typeof args === "object" && args !== null ? args : {}) as Record<
          string,
          unknown
        >,
      };
    });
    this.#calls.clear();
    return calls;
  }
}

/** Ollama `options`/`format` to chat completion parameters. */
export function toOpenAiParameters(request: BackendChatRequest): Record<string, unknown> {
  const options = request.options ?? {};
  const out: Record<string, unknown> = {};
  const copy = (from: string, to = from) => {
    if (options[from] !== undefined) out[to] = options[from];
  };
  copy("temperature");
  copy("top_p");
  copy("seed");
  copy("frequency_penalty");
  copy("presence_penalty");
  copy("stop");
  if (typeof options.num_predict === "number" && options.num_predict > 0) {
    out.max_tokens = options.num_predict;
  }
  if (request.tools?.length) {
    out.tools = request.tools;
    const choice = request.toolChoice;
    if (choice !== undefined) {
      out.tool_choice = typeof choice === "object"
        ? { type: "function", function: { name: choice.name } }
        : choice;
    }
    if (request.parallelToolCalls !== undefined) {
      out.parallel_tool_calls = request.parallelToolCalls;
    }
  }
  if (request.format === "json") out.response_format = { type: "json_object" };
  else if (request.format && typeof request.format === "object") {
    out.response_format = {
      type: "json_schema",
      json_schema: { name: "answer", schema: request.format },
    };
  }
  return out;
}

async function wrap<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if ((error as Error).name === "AbortError") throw error;
    const status = error instanceof OpenAI.APIError ? error.status : undefined;
    throw new BackendError(
      `openai-compatible server could not ${what}: ${(error as Error).message}`,
      status,
    );
  }
}
