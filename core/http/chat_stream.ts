/**
 * The streaming part both API dialects share: start a chat and wait for its first chunk (so a
 * refusal still gets a status code), read a whole answer, or stream it as a response body in
 * which a later failure becomes a final error object and a reader leaving stops the chat.
 */
import type { Context } from "hono";
import type { MeshTrailer } from "../llm/api/ollama_api.ts";
import {
  type ChatChunk,
  ChatError,
  type ChatRequest,
  type ChatService,
  type ToolCall,
} from "../llm/chat.ts";
import { type ErrorKind, errorKind, errorMessage } from "./llm_http.ts";

/** Collects what a response reports: the text so far and who answered. */
export class Tally {
  content = "";
  thinking = "";
  /** Every tool call of the answer so far, in order. */
  readonly toolCalls: ToolCall[] = [];
  last: ChatChunk | undefined;
  readonly hosts: MeshTrailer["hosts"] = [];
  failedOver = false;
  readonly failovers: NonNullable<MeshTrailer["failovers"]> = [];

  add(chunk: ChatChunk) {
    this.content += chunk.content;
    this.thinking += chunk.thinking ?? "";
    if (chunk.toolCalls?.length) this.toolCalls.push(...chunk.toolCalls);
    this.last = chunk;
    if (chunk.failedOverFrom) {
      this.failedOver = true;
      const { nodeId, nodeName } = chunk.failedOverFrom;
      this.failovers.push({ nodeId, name: nodeName, reason: chunk.failoverReason ?? "error" });
    }
    const { nodeId, nodeName, model } = chunk.servedBy;
    if (!this.hosts.some((h) => h.nodeId === nodeId)) {
      this.hosts.push({ nodeId, name: nodeName, model });
    }
  }

  trailer(): MeshTrailer {
    const trailer: MeshTrailer = { hosts: this.hosts, failedOver: this.failedOver };
    if (this.failovers.length) trailer.failovers = this.failovers;
    return trailer;
  }
}

/** A chat that produced its first chunk. */
export interface StartedChat {
  first: ChatChunk;
  iterator: AsyncIterator<ChatChunk>;
  abort: AbortController;
  /** performance.now() at the first chunk. */
  startedAt: number;
}

/** How one API writes a stream: the objects for each chunk, the end, an error. */
export interface StreamWriter {
  contentType: string;
  encode(value: unknown): string;
  chunk(chunk: ChatChunk, tally: Tally): unknown[];
  error(kind: ErrorKind, message: string): unknown;
  /** Written after the last object (SSE's `data: [DONE]`). */
  end?: string;
}

export const ndjson = (value: unknown): string => `${JSON.stringify(value)}\n`;
export const sse = (value: unknown): string => `data: ${JSON.stringify(value)}\n\n`;

const encoder = new TextEncoder();

/** Starts the chat and waits for its first chunk; the client leaving aborts it. */
export async function startChat(
  c: Context,
  chat: ChatService,
  request: ChatRequest,
): Promise<StartedChat> {
  const abort = new AbortController();
  const onDisconnect = () => abort.abort(new Error("client disconnected"));
  c.req.raw.signal.addEventListener("abort", onDisconnect, { once: true });
  const iterator = chat.chat(request, abort.signal)[Symbol.asyncIterator]();
  try {
    const first = await iterator.next();
    if (first.done) throw new ChatError("the host ended the answer without any text", "upstream");
    return { first: first.value, iterator, abort, startedAt: performance.now() };
  } catch (error) {
    abort.abort(error);
    throw error;
  }
}

/** Reads the whole answer (non-streaming requests). */
export async function drainChat(started: StartedChat): Promise<Tally> {
  const tally = new Tally();
  let chunk: ChatChunk | undefined = started.first;
  while (chunk) {
    tally.add(chunk);
    if (chunk.done) break;
    const next = await started.iterator.next();
    chunk = next.done ? undefined : next.value;
  }
  if (!tally.last?.done) {
    throw new ChatError("the answer ended without a final chunk", "upstream");
  }
  return tally;
}

/** The response body of a streaming answer; stopping the read stops the generation. */
export function streamChat(started: StartedChat, writer: StreamWriter): ReadableStream<Uint8Array> {
  const tally = new Tally();
  let pending: ChatChunk | undefined = started.first;
  let finished = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        let chunk = pending;
        pending = undefined;
        if (!chunk) {
          const next = await started.iterator.next();
          if (next.done) {
            throw new ChatError("the answer ended without a final chunk", "upstream");
          }
          chunk = next.value;
        }
        tally.add(chunk);
        const text = writer.chunk(chunk, tally).map((value) => writer.encode(value)).join("");
        if (chunk.done) {
          finished = true;
          controller.enqueue(encoder.encode(text + (writer.end ?? "")));
          controller.close();
        } else if (text) {
          controller.enqueue(encoder.encode(text));
        }
      } catch (error) {
        finished = true;
        controller.enqueue(
          encoder.encode(writer.encode(writer.error(errorKind(error), errorMessage(error)))),
        );
        controller.close();
      }
    },
    cancel() {
      if (!finished) started.abort.abort(new Error("client disconnected"));
      void started.iterator.return?.();
    },
  });
}

/** Nanoseconds since the first chunk (Ollama's `total_duration`). */
export function elapsedNs(started: StartedChat): number {
  return Math.round((performance.now() - started.startedAt) * 1e6);
}
