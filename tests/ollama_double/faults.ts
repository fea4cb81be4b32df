/**
 * Faults the Ollama test double can inject, and which request each applies to.
 *
 * - `none`: behave.
 * - `refuse`: stop listening, so connections are refused (Ollama down). Kills open streams.
 * - `http500`: answer `{"error": message}` with `status` (default 500).
 * - `closeMidStream`: after `afterTokens` tokens, abort the response body abruptly.
 * - `stall`: after `afterTokens` tokens, send nothing more but keep the connection open
 *   (with 0 tokens not even the response headers are sent, as when Ollama hangs loading);
 *   with `forMs` the silence ends after that long and the reply goes on (a long token gap).
 * - `slow`: use `tokenLatencyMs` / `firstTokenLatencyMs` instead of the configured latencies.
 *
 * All but `none` and `refuse` can be targeted: `endpoints` (default the generating ones: chat,
 * generate, v1.chat, v1.completions),
 * `models` (default any) and `times` (apply to the next N matching requests, then act as none).
 */
import { z } from "zod";
import { withTag } from "./models.ts";

export const FAULT_KINDS = [
  "none",
  "refuse",
  "http500",
  "closeMidStream",
  "stall",
  "slow",
] as const;
export type FaultKind = typeof FAULT_KINDS[number];

export const ENDPOINTS = [
  "root",
  "version",
  "tags",
  "ps",
  "show",
  "chat",
  "generate",
  "embed",
  "embeddings",
  "v1.models",
  "v1.chat",
  "v1.completions",
  "v1.embeddings",
] as const;
export type Endpoint = typeof ENDPOINTS[number];

export const FaultSpecSchema = z.strictObject({
  kind: z.enum(FAULT_KINDS),
  afterTokens: z.number().int().nonnegative().optional(),
  forMs: z.number().nonnegative().optional(),
  status: z.number().int().min(400).max(599).optional(),
  message: z.string().optional(),
  tokenLatencyMs: z.number().nonnegative().optional(),
  firstTokenLatencyMs: z.number().nonnegative().optional(),
  endpoints: z.array(z.enum(ENDPOINTS)).min(1).optional(),
  models: z.array(z.string().min(1)).min(1).optional(),
  times: z.number().int().positive().optional(),
});
export type FaultSpec = z.infer<typeof FaultSpecSchema>;

/** A fault kind alone, or a spec with its parameters and targeting. */
export type Fault = FaultKind | FaultSpec;

export const DEFAULT_FAULT_ENDPOINTS: readonly Endpoint[] = [
  "chat",
  "generate",
  "v1.chat",
  "v1.completions",
];
export const DEFAULT_HTTP_ERROR = "llama runner process has terminated: exit status 2";

const TARGETING = ["endpoints", "models", "times"] as const;
const ALLOWED_FIELDS: Record<FaultKind, readonly string[]> = {
  none: [],
  refuse: [],
  http500: ["status", "message", ...TARGETING],
  closeMidStream: ["afterTokens", ...TARGETING],
  stall: ["afterTokens", "forMs", ...TARGETING],
  slow: ["tokenLatencyMs", "firstTokenLatencyMs", ...TARGETING],
};

/** Validates a fault and returns it as a spec; throws a RangeError quoting what is wrong. */
export function normalizeFault(fault: Fault): FaultSpec {
  const parsed = FaultSpecSchema.safeParse(typeof fault === "string" ? { kind: fault } : fault);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new RangeError(
      `invalid fault ${JSON.stringify(fault)}: ${issue.path.join(".") || "kind"}: ${issue.message}`,
    );
  }
  const spec = parsed.data;
  const extra = Object.keys(spec).filter((k) =>
    k !== "kind" && !ALLOWED_FIELDS[spec.kind].includes(k)
  );
  if (extra.length > 0) {
    throw new RangeError(
      `invalid fault ${JSON.stringify(fault)}: ${extra.join(", ")} not used by kind "${spec.kind}"`,
    );
  }
  return spec;
}

/** The current fault and how many more requests it applies to. */
export class FaultSchedule {
  readonly spec: FaultSpec;
  #remaining: number;

  constructor(fault: Fault = "none") {
    this.spec = normalizeFault(fault);
    this.#remaining = this.spec.times ?? Infinity;
  }

  /** "none" once a fault with `times` has been used up. */
  get kind(): FaultKind {
    return this.#remaining > 0 ? this.spec.kind : "none";
  }

  /** Requests this fault still applies to (Infinity without `times`). */
  get remaining(): number {
    return this.#remaining;
  }

  /**
   * The fault for a request to `endpoint` (for `model` when the endpoint names one), counting
   * it against `times`; null when the request should be served normally.
   */
  take(endpoint: Endpoint, model?: string): FaultSpec | null {
    const { spec } = this;
    if (this.kind === "none" || spec.kind === "refuse") return null;
    if (!(spec.endpoints ?? DEFAULT_FAULT_ENDPOINTS).includes(endpoint)) return null;
    if (
      spec.models && !spec.models.some((m) => model !== undefined && withTag(m) === withTag(model))
    ) {
      return null;
    }
    this.#remaining--;
    return spec;
  }
}
