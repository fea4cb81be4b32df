/**
 * One chat or generate reply of the Ollama test double: waits for a model slot and the first
 * token latency, then emits tokens with the token latency, applying `closeMidStream` and `stall`
 * faults, and turns the result into an HTTP response (an NDJSON stream, server-sent events for
 * the OpenAI API, or one JSON object).
 *
 * Like Ollama, the response headers go out with the first token, so a slow first token or a
 * stall before it delays even the headers. Generation is pulled by the response body, so a
 * client that disconnects stops it: the body is cancelled and no further token is produced.
 */
import type { ReplyPlan } from "./answer.ts";
import type { FaultSpec } from "./faults.ts";
import { type DoneReason, JSON_HEADERS, type Metrics, NDJSON_HEADERS } from "./wire.ts";

const SSE_HEADERS = { "content-type": "text/event-stream", "cache-control": "no-cache" };

/** Errors the double raises on purpose to drop a connection; not logged. */
export class IntentionalAbort extends Error {
  constructor(message: string) {
    super(message);
    this.name = "IntentionalAbort";
  }
}

export type Outcome = "completed" | "cancelled" | "failed";

export interface GenerationSetup {
  plan: ReplyPlan;
  stream: boolean;
  promptEvalCount: number;
  firstTokenLatencyMs: number;
  tokenLatencyMs: number;
  /** A `closeMidStream` or `stall` fault for this request, if any. */
  fault: FaultSpec | null;
  /** JSON of one streamed token; `index` counts the tokens of this reply from 0. */
  chunk(token: string, index: number): unknown;
  /** JSON of the final object; `content` is "" when streamed, the whole reply otherwise. */
  done(content: string, doneReason: DoneReason, metrics: Metrics): unknown;
  /**
   * Streams server-sent events (`data: {json}`) instead of NDJSON: the tokens' chunks, then
   * the events `end()` returns, then `data: [DONE]`, as OpenAI's API does.
   */
  sse?: { end(doneReason: DoneReason, metrics: Metrics): unknown[] };
  /** Waits for a free model slot; resolves to its release function. */
  acquireSlot(signal: AbortSignal): Promise<() => void>;
  /** True when no slot is free now, so the reply will queue before its headers. */
  waitsForSlot: boolean;
  /** Aborted when the server stops (close, or a `refuse` fault): drops the connection. */
  serverSignal: AbortSignal;
  onToken(): void;
  /** Called exactly once, when the reply ends for any reason. */
  onEnd(outcome: Outcome): void;
}

const encoder = new TextEncoder();
const NS_PER_MS = 1e6;

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason);
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** Never resolves; rejects when `signal` aborts (a stall). */
function never(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener("abort", () => reject(signal.reason), { once: true });
  });
}

type Step =
  | { token: string; index: number }
  | { done: true; doneReason: DoneReason; metrics: Metrics };

/** A response whose body fails at once: the client gets headers, then a broken connection. */
export function brokenResponse(reason: string, headers: HeadersInit): Response {
  return new Response(
    new ReadableStream({ start: (c) => c.error(new IntentionalAbort(reason)) }),
    { headers },
  );
}

/**
 * Runs one reply. `clientSignal` is read only while the reply waits before its response
 * headers (after that a disconnect shows up as a cancelled body), because reading
 * `request.signal` makes Deno warn once per process in its legacy abort mode.
 */
export async function respondWithGeneration(
  setup: GenerationSetup,
  clientSignal: () => AbortSignal,
): Promise<Response> {
  const abort = new AbortController();
  const steps = generateSteps(setup, abort.signal);
  let body: ReadableStreamDefaultController<Uint8Array> | null = null;
  let ended = false;
  const end = (outcome: Outcome, reason: string) => {
    if (ended) return;
    ended = true;
    const error = new IntentionalAbort(reason);
    abort.abort(error);
    setup.serverSignal.removeEventListener("abort", onServerAbort);
    // runs the generator's cleanup (slot release) if it is parked at a yield
    steps.return(undefined).catch(() => {});
    if (outcome === "failed") {
      try {
        body?.error(error);
      } catch { /* body already closed */ }
    }
    setup.onEnd(outcome);
  };
  const onServerAbort = () => end("failed", "server stopped");
  if (setup.serverSignal.aborted) onServerAbort();
  else setup.serverSignal.addEventListener("abort", onServerAbort, { once: true });

  const headers = !setup.stream ? JSON_HEADERS : setup.sse ? SSE_HEADERS : NDJSON_HEADERS;
  // Without streaming, headers go out only with the whole reply.
  const stallsBeforeHeaders = setup.fault?.kind === "stall" &&
    (!setup.stream || (setup.fault.afterTokens ?? 0) === 0);
  const waitsForHeaders = setup.waitsForSlot || setup.firstTokenLatencyMs > 0 ||
    stallsBeforeHeaders ||
    (!setup.stream && setup.tokenLatencyMs > 0 && setup.plan.tokens.length > 1);
  const signal = waitsForHeaders ? clientSignal() : undefined;
  const onClientGone = () => end("cancelled", "client disconnected");
  if (signal?.aborted) onClientGone();
  signal?.addEventListener("abort", onClientGone, { once: true });
  try {
    const first = await steps.next();
    // cancelled or server-stopped while waiting: the generator was closed early
    if (ended) return brokenResponse("reply ended before its first token", headers);
    if (!setup.stream) return await wholeReply(setup, first, steps, headers, end);
    return streamedReply(setup, first, steps, headers, end, (c) => body = c);
  } catch (error) {
    end("failed", String(error instanceof Error ? error.message : error));
    return brokenResponse(String(error), headers);
  } finally {
    signal?.removeEventListener("abort", onClientGone);
  }
}

type End = (outcome: Outcome, reason: string) => void;

async function wholeReply(
  setup: GenerationSetup,
  first: IteratorResult<Step>,
  steps: AsyncGenerator<Step>,
  headers: HeadersInit,
  end: End,
): Promise<Response> {
  let content = "";
  for (let step = first; !step.done; step = await steps.next()) {
    if ("token" in step.value) {
      content += step.value.token;
      continue;
    }
    end("completed", "done");
    const { doneReason, metrics } = step.value;
    return new Response(JSON.stringify(setup.done(content, doneReason, metrics)), { headers });
  }
  throw new Error("generation ended without a final step");
}

function streamedReply(
  setup: GenerationSetup,
  first: IteratorResult<Step>,
  steps: AsyncGenerator<Step>,
  headers: HeadersInit,
  end: End,
  onController: (c: ReadableStreamDefaultController<Uint8Array>) => void,
): Response {
  const { sse } = setup;
  const line = (step: Step) => {
    if (sse) {
      const events = "token" in step
        ? [setup.chunk(step.token, step.index)]
        : sse.end(step.doneReason, step.metrics);
      const data = events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join("");
      return encoder.encode("token" in step ? data : `${data}data: [DONE]\n\n`);
    }
    const json = "token" in step
      ? setup.chunk(step.token, step.index)
      : setup.done("", step.doneReason, step.metrics);
    return encoder.encode(JSON.stringify(json) + "\n");
  };
  let pending: IteratorResult<Step> | null = first;
  const body = new ReadableStream<Uint8Array>({
    start: onController,
    async pull(controller) {
      try {
        const step = pending ?? await steps.next();
        pending = null;
        if (step.done) return controller.close();
        controller.enqueue(line(step.value));
        if ("done" in step.value) {
          end("completed", "done");
          controller.close();
        }
      } catch (error) {
        // a cancelled or server-stopped reply has already ended; this reports the rest
        end("failed", String(error instanceof Error ? error.message : error));
        try {
          controller.error(error);
        } catch { /* stream already closed */ }
      }
    },
    cancel() {
      end("cancelled", "client disconnected");
    },
  }, { highWaterMark: 0 });
  return new Response(body, { headers });
}

async function* generateSteps(setup: GenerationSetup, signal: AbortSignal): AsyncGenerator<Step> {
  const start = performance.now();
  const release = await setup.acquireSlot(signal);
  try {
    const loaded = performance.now();
    await sleep(setup.firstTokenLatencyMs, signal);
    const firstToken = performance.now();
    const { tokens, doneReason } = setup.plan;
    const { fault } = setup;
    for (let i = 0; i <= tokens.length; i++) {
      if (fault?.kind === "closeMidStream" && i === (fault.afterTokens ?? 0)) {
        throw new IntentionalAbort(`closeMidStream after ${i} tokens`);
      }
      if (fault?.kind === "stall" && i === (fault.afterTokens ?? 0)) {
        // a stall with `forMs` is a long gap after which the reply goes on
        await (fault.forMs === undefined ? never(signal) : sleep(fault.forMs, signal));
      }
      if (i === tokens.length) break;
      if (i > 0) await sleep(setup.tokenLatencyMs, signal);
      setup.onToken();
      yield { token: tokens[i], index: i };
    }
    const finished = performance.now();
    const ns = (ms: number) => Math.max(1, Math.round(ms * NS_PER_MS));
    yield {
      done: true,
      doneReason,
      metrics: {
        total_duration: ns(finished - start),
        load_duration: ns(loaded - start),
        prompt_eval_count: setup.promptEvalCount,
        prompt_eval_duration: ns(firstToken - loaded),
        eval_count: tokens.length,
        eval_duration: ns(finished - firstToken),
      },
    };
  } finally {
    release();
  }
}
