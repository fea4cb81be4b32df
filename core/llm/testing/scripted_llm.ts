/** Test support: a MeshLlmApi that plays a script of chunks and errors, and records requests. */
import type { ChatChunk, ChatRequest, ServedBy } from "../chat.ts";
import type { EmbedRequest, EmbedResult } from "../embed.ts";
import type { MeshLlmApi } from "../mesh_llm.ts";
import type { MeshModel } from "../mesh_model.ts";

export const HOST_A: ServedBy = { nodeId: "NODEA", nodeName: "alpha", model: "llama3.2:latest" };
export const HOST_B: ServedBy = { nodeId: "NODEB", nodeName: "béta", model: "llama3.2:latest" };

/** The mesh's model list: one model on two remote hosts, one of them busy. */
export const SCRIPTED_MODELS: MeshModel[] = [{
  name: "llama3.2:latest",
  size: 2_019_393_189,
  family: "llama",
  parameterSize: "3.2B",
  quantization: "Q4_K_M",
  digest: "a80c4f17acd5",
  modifiedAt: "2025-01-01T00:00:00.000Z",
  hosts: [
    {
      nodeId: "NODEA",
      name: "alpha",
      local: false,
      inFlight: 1,
      capacity: 2,
      queued: 0,
      healthy: true,
    },
    {
      nodeId: "NODEB",
      name: "béta",
      local: false,
      inFlight: 0,
      capacity: 2,
      queued: 0,
      healthy: true,
    },
  ],
}];

/** A piece of text from `servedBy`. */
export const piece = (
  content: string,
  servedBy = HOST_A,
  extra: Partial<ChatChunk> = {},
): ChatChunk => ({
  content,
  done: false,
  servedBy,
  ...extra,
});

/** The final chunk, with the host's token counts. */
export const finalChunk = (servedBy = HOST_A): ChatChunk => ({
  content: "",
  done: true,
  servedBy,
  doneReason: "stop",
  stats: { promptEvalCount: 7, evalCount: 3, evalDurationNs: 1_000_000, loadDurationNs: 5 },
});

/** "Hel", "lo" from host A, then "!" after failing over to host B, then the end. */
export const HELLO_SCRIPT: ChatChunk[] = [
  piece("Hel"),
  piece("lo"),
  piece("!", HOST_B, { failedOverFrom: HOST_A }),
  finalChunk(HOST_B),
];

export class ScriptedLlm implements MeshLlmApi {
  readonly requests: ChatRequest[] = [];
  signal: AbortSignal | undefined;
  readonly hasLlm = false;

  constructor(private readonly script: (ChatChunk | Error)[], private readonly delayMs = 0) {}

  models(): MeshModel[] {
    return SCRIPTED_MODELS;
  }

  backendVersion(): string | undefined {
    return "0.12.6";
  }

  /** Embeddings as `embedAnswer` says (default: each input's length and its index), recorded. */
  readonly embedRequests: EmbedRequest[] = [];
  embedAnswer: (request: EmbedRequest) => EmbedResult | Error = (request) => ({
    model: request.model,
    embeddings: request.inputs.map((text, i) => [text.length, i]),
    promptTokens: request.inputs.length,
    servedBy: { ...HOST_A, model: request.model },
  });

  embed(request: EmbedRequest): Promise<EmbedResult> {
    this.embedRequests.push(request);
    const answer = this.embedAnswer(request);
    return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
  }

  async *chat(request: ChatRequest, signal?: AbortSignal): AsyncIterable<ChatChunk> {
    this.requests.push(request);
    this.signal = signal;
    for (const step of this.script) {
      if (this.delayMs) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
      signal?.throwIfAborted();
      if (step instanceof Error) throw step;
      yield step;
    }
  }
}
