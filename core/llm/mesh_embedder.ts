import type { Logger } from "../log/logger.ts";
import { ChatError, type ServedBy } from "./chat.ts";
import type { BackendEmbedRequest, EmbedRequest, EmbedResult } from "./embed.ts";
import { splitInputs } from "./embed_batch.ts";
import type { EmbedClient } from "./embed_client.ts";
import { type Attempt, failoverStep, finalError, MAX_ATTEMPTS } from "./failover.ts";
import type { HostTable } from "./host_table.ts";
import { HostFailure } from "./inference_client.ts";
import { embedLocally } from "./local_embed.ts";
import type { LocalEngine } from "./local_engine.ts";
import { type HostCandidate, route } from "./router.ts";

export interface MeshEmbedderOptions {
  engine: LocalEngine;
  hosts: HostTable;
  client: EmbedClient;
  logger: Logger;
  /** The host table changed (a request opened or closed). */
  changed: () => void;
  /** Most bytes of input text in one `EMBR:`. @default 8 MiB (frames may reach 50 MB) */
  partBudgetBytes?: number;
  /** Most inputs in one part. @default 256 */
  partMaxInputs?: number;
  /** Parts of one batch asked at once. @default 4 */
  partsInFlight?: number;
}

/**
 * A batch is cut into parts of at most this many inputs, asked a few at a time: the host's
 * backend computes one part while the vectors of the one before are decoded, framed and read
 * (each stage in its own process), instead of each waiting for the whole batch.
 */
export const PART_MAX_INPUTS = 256;
export const PARTS_IN_FLIGHT = 4;

/** What MeshLlm lends for one request: the hosts as it ranks them, and its local health. */
export interface EmbedRouting {
  candidates(): HostCandidate[];
  /** The local backend failed: rank it last for a while. */
  localFailed(): void;
}

/**
 * Embeddings through the mesh: each part of the batch (at most `partMaxInputs` inputs and a
 * frame's worth of text; `partsInFlight` at a time) is routed like a chat — model-aware, local
 * first, least loaded — and moved to another host when its host fails, as long as that part's
 * vectors have not all arrived (a part is all or nothing, so nothing is ever duplicated or
 * lost). Parts are put back in input order; when one part fails for good the others are
 * cancelled. A request the host refuses as malformed (a 400, e.g. a model that cannot embed)
 * fails at once.
 */
export class MeshEmbedder {
  readonly #partBudget: number;
  readonly #partMax: number;
  readonly #inFlight: number;

  constructor(private readonly options: MeshEmbedderOptions) {
    this.#partBudget = options.partBudgetBytes ?? 8 * 1024 * 1024;
    this.#partMax = options.partMaxInputs ?? PART_MAX_INPUTS;
    this.#inFlight = options.partsInFlight ?? PARTS_IN_FLIGHT;
  }

  /** Fails the requests waiting on peers. */
  close(): void {
    this.options.client.close();
  }

  async embed(
    request: EmbedRequest,
    routing: EmbedRouting,
    signal?: AbortSignal,
  ): Promise<EmbedResult> {
    if (!request.model?.trim()) throw new ChatError("model is required", "bad_request");
    const parts = splitInputs(request.inputs, this.#partBudget, this.#partMax);
    const answers = await this.#parts(parts.length, (i, partSignal) => {
      const inputs = request.inputs.slice(parts[i].start, parts[i].end);
      return this.#part({ ...request, inputs }, routing, partSignal);
    }, signal);
    const embeddings: number[][] = [];
    let promptTokens: number | undefined;
    for (const answer of answers) {
      for (const vector of answer.embeddings) embeddings.push(vector);
      if (answer.promptTokens !== undefined) {
        promptTokens = (promptTokens ?? 0) + answer.promptTokens;
      }
    }
    return { ...answers[0], embeddings, promptTokens };
  }

  /** Runs `count` parts, `partsInFlight` at a time, in order; the first failure stops the rest. */
  async #parts<T>(
    count: number,
    run: (index: number, signal: AbortSignal) => Promise<T>,
    signal?: AbortSignal,
  ): Promise<T[]> {
    const stop = new AbortController();
    const onAbort = () => stop.abort(signal!.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
    if (signal?.aborted) onAbort();
    const results = new Array<T>(count);
    let next = 0;
    const worker = async () => {
      while (next < count && !stop.signal.aborted) {
        const index = next++;
        results[index] = await run(index, stop.signal);
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.min(this.#inFlight, count) }, worker));
      if (stop.signal.aborted) throw stop.signal.reason;
      return results;
    } catch (error) {
      stop.abort(error);
      throw error;
    } finally {
      signal?.removeEventListener("abort", onAbort);
    }
  }

  /** One part, with failover. */
  async #part(
    request: EmbedRequest,
    routing: EmbedRouting,
    signal?: AbortSignal,
  ): Promise<EmbedResult> {
    const exclude = new Set<string>();
    const attempts: Attempt[] = [];
    let failedFrom: ServedBy | undefined;
    for (let round = 0; round < MAX_ATTEMPTS; round++) {
      const decision = route({
        model: request.model,
        candidates: routing.candidates(),
        preferredHost: request.preferredHost,
        exclude,
      });
      if (decision.kind !== "serve") throw finalError(decision, attempts);
      const host = decision.host;
      const servedBy: ServedBy = { nodeId: host.id, nodeName: host.name, model: decision.model };
      const forBackend: BackendEmbedRequest = {
        model: decision.model,
        inputs: request.inputs,
        truncate: request.truncate,
        dimensions: request.dimensions,
        keepAlive: request.keepAlive,
        options: request.options,
      };
      try {
        const answer = await this.#run(host, forBackend, signal);
        return {
          ...answer,
          model: answer.model || decision.model,
          servedBy,
          ...(failedFrom ? { failedOverFrom: failedFrom } : {}),
        };
      } catch (error) {
        if (signal?.aborted) throw signal.reason ?? error;
        const step = failoverStep(error, host, false);
        if (step.kind === "give_up") throw step.error;
        attempts.push(step.attempt);
        exclude.add(step.exclude);
        if (step.markUnhealthy === "local") routing.localFailed();
        else if (step.markUnhealthy === "remote") {
          this.options.hosts.recordFailure(host.id, step.attempt.message);
        }
        failedFrom = servedBy;
        this.options.logger.warn("embedding host failed, trying another", {
          host: host.name,
          model: decision.model,
          code: step.attempt.code,
          error: step.attempt.message,
        });
      }
    }
    throw finalError({ kind: "exhausted" }, attempts);
  }

  async #run(
    host: HostCandidate,
    request: BackendEmbedRequest,
    signal?: AbortSignal,
  ): Promise<{ model: string } & Awaited<ReturnType<typeof embedLocally>>> {
    const { engine, hosts, client } = this.options;
    if (host.local) {
      const abort = new AbortController();
      const onAbort = () => abort.abort(signal!.reason);
      signal?.addEventListener("abort", onAbort, { once: true });
      if (signal?.aborted) onAbort();
      try {
        return { model: request.model, ...await embedLocally(engine, request, abort.signal) };
      } finally {
        signal?.removeEventListener("abort", onAbort);
      }
    }
    const peer = hosts.peer(host.id);
    if (!peer) throw new HostFailure(`${host.name} is no longer linked`, "link_down", false);
    hosts.adjustOpen(peer.id, 1);
    try {
      const answer = await client.embed(peer, request, signal);
      hosts.recordSuccess(peer.id);
      return answer;
    } finally {
      hosts.adjustOpen(peer.id, -1);
      this.options.changed();
    }
  }
}
