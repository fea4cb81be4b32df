/**
 * Measures what the mesh costs: the same chat requests sent to a node's mesh API and straight
 * to an Ollama (or its test double), compared by time to first token, total time (p50/p99) and
 * generation speed on one long stream. Prints nothing; the bench runner reports the numbers.
 */

export interface LlmBenchOptions {
  /** Base URL of a node's mesh API, e.g. `http://10.99.0.2:8080`. */
  meshUrl: string;
  /** Base URL of an Ollama (or test double) reached directly, e.g. `http://10.99.0.3:11434`. */
  directUrl: string;
  model: string;
  /** Requests per target. @default 20 */
  requests?: number;
  /** Requests in flight at once per target. @default 1 */
  concurrency?: number;
  /** @default "Say something about meshes." (each request adds its index) */
  prompt?: string;
  /** `num_predict` of the long stream (the backend must be able to produce that many). @default 500 */
  longStreamTokens?: number;
  /** Each request is abandoned after this long. @default 60_000 */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export interface LatencySummary {
  count: number;
  p50: number;
  p99: number;
  mean: number;
  min: number;
  max: number;
}

export interface TargetResult {
  /** Time to first token, ms, over the successful requests. */
  ttftMs: LatencySummary;
  /** Time to the final chunk, ms. */
  totalMs: LatencySummary;
  errors: number;
  /** First error message, if any, to tell why. */
  firstError?: string;
  /** Generation speed of the long stream: tokens after the first / seconds after the first. */
  tokensPerSecond: number;
  longStreamTokens: number;
}

export interface LlmBenchResult {
  mesh: TargetResult;
  direct: TargetResult;
  /** mesh p50 − direct p50, ms. */
  overheadMs: { ttftP50: number; totalP50: number };
}

/** Nearest-rank percentile of ascending `sorted` values (0 when empty). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export function summarize(values: readonly number[]): LatencySummary {
  const sorted = [...values].sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    count: sorted.length,
    p50: round(percentile(sorted, 50)),
    p99: round(percentile(sorted, 99)),
    mean: round(sorted.length ? sorted.reduce((s, v) => s + v, 0) / sorted.length : 0),
    min: round(sorted[0] ?? 0),
    max: round(sorted.at(-1) ?? 0),
  };
}

interface Timing {
  ttftMs: number;
  totalMs: number;
  /** Text chunks received. */
  chunks: number;
  /** `eval_count` of the final chunk, when reported. */
  evalCount?: number;
}

/** One streamed `/api/chat` request, timed from send to first text and to the final chunk. */
async function timedChat(
  fetchFn: typeof fetch,
  baseUrl: string,
  body: Record<string, unknown>,
  timeoutMs: number,
): Promise<Timing> {
  const abort = new AbortController();
  const timer = setTimeout(
    () => abort.abort(new Error(`no answer within ${timeoutMs} ms`)),
    timeoutMs,
  );
  const start = performance.now();
  try {
    const response = await fetchFn(`${baseUrl.replace(/\/+$/, "")}/api/chat`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ ...body, stream: true }),
      signal: abort.signal,
    });
    if (!response.ok || !response.body) {
      throw new Error(`HTTP ${response.status}: ${(await response.text()).slice(0, 200)}`);
    }
    let ttftMs: number | undefined;
    let chunks = 0;
    let buffer = "";
    const decoder = new TextDecoder();
    for await (const bytes of response.body) {
      buffer += decoder.decode(bytes, { stream: true });
      let newline: number;
      while ((newline = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, newline).trim();
        buffer = buffer.slice(newline + 1);
        if (!line) continue;
        const object = JSON.parse(line);
        if (object.error) throw new Error(String(object.error));
        if (object.message?.content) {
          ttftMs ??= performance.now() - start;
          chunks++;
        }
        if (object.done) {
          const totalMs = performance.now() - start;
          return { ttftMs: ttftMs ?? totalMs, totalMs, chunks, evalCount: object.eval_count };
        }
      }
    }
    throw new Error("stream ended without a final chunk");
  } finally {
    clearTimeout(timer);
  }
}

async function benchTarget(
  baseUrl: string,
  options: Required<Omit<LlmBenchOptions, "meshUrl" | "directUrl">>,
) {
  const timings: Timing[] = [];
  const errors: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < options.requests) {
      const index = next++;
      try {
        timings.push(
          await timedChat(options.fetch, baseUrl, {
            model: options.model,
            messages: [{ role: "user", content: `${options.prompt} #${index}` }],
          }, options.timeoutMs),
        );
      } catch (error) {
        errors.push((error as Error).message);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, worker));

  let tokensPerSecond = 0;
  let longStreamTokens = 0;
  try {
    const long = await timedChat(options.fetch, baseUrl, {
      model: options.model,
      messages: [{ role: "user", content: `${options.prompt} (long)` }],
      options: { num_predict: options.longStreamTokens },
    }, options.timeoutMs);
    longStreamTokens = long.evalCount ?? long.chunks;
    const seconds = (long.totalMs - long.ttftMs) / 1000;
    tokensPerSecond = seconds > 0 ? Math.round(((longStreamTokens - 1) / seconds) * 10) / 10 : 0;
  } catch (error) {
    errors.push(`long stream: ${(error as Error).message}`);
  }
  const result: TargetResult = {
    ttftMs: summarize(timings.map((t) => t.ttftMs)),
    totalMs: summarize(timings.map((t) => t.totalMs)),
    errors: errors.length,
    tokensPerSecond,
    longStreamTokens,
  };
  if (errors.length) result.firstError = errors[0];
  return result;
}

/** Benchmarks the direct backend first (warming its model), then the mesh. */
export async function benchLlm(options: LlmBenchOptions): Promise<LlmBenchResult> {
  const settings = {
    model: options.model,
    requests: options.requests ?? 20,
    concurrency: options.concurrency ?? 1,
    prompt: options.prompt ?? "Say something about meshes.",
    longStreamTokens: options.longStreamTokens ?? 500,
    timeoutMs: options.timeoutMs ?? 60_000,
    fetch: options.fetch ?? fetch,
  };
  if (!Number.isInteger(settings.requests) || settings.requests < 1) {
    throw new RangeError(
      `benchLlm: 'requests' must be a positive integer, got ${settings.requests}`,
    );
  }
  const direct = await benchTarget(options.directUrl, settings);
  const mesh = await benchTarget(options.meshUrl, settings);
  return {
    mesh,
    direct,
    overheadMs: {
      ttftP50: Math.round((mesh.ttftMs.p50 - direct.ttftMs.p50) * 100) / 100,
      totalP50: Math.round((mesh.totalMs.p50 - direct.totalMs.p50) * 100) / 100,
    },
  };
}
