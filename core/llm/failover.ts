/**
 * What a failed attempt means for a chat, decided without I/O: give up at once (the request
 * itself is wrong), or exclude the host, mark it unhealthy unless it was only loaded, and try
 * the next one. When no host is left, one error lists every attempt. MeshLlm applies the
 * steps; the rules are those of docs/llm.md ("Failover").
 */
import { BackendError } from "./backend.ts";
import { ChatError } from "./chat.ts";
import { HostFailure, type HostFailureCode } from "./inference_client.ts";
import type { RouteDecision } from "./router.ts";
import { BusyError } from "./slot_pool.ts";

/** Most hosts one chat tries before it gives up. */
export const MAX_ATTEMPTS = 16;

/** One host that failed a chat, as the final error names it. */
export interface Attempt {
  host: string;
  code: HostFailureCode;
  message: string;
}

/** The host an attempt ran on. */
export interface AttemptedHost {
  id: string;
  name: string;
  local: boolean;
}

export type FailoverStep =
  | { kind: "give_up"; error: ChatError }
  | {
    kind: "retry";
    attempt: Attempt;
    /** Host id not to try again for this chat. */
    exclude: string;
    /** Rank the host last for a while: a failure, not just a full queue or a rate limit. */
    markUnhealthy: "local" | "remote" | null;
  };

/** Why no host answered: the router's refusal, or too many attempts. */
export type NoMoreHosts = Exclude<RouteDecision, { kind: "serve" }> | { kind: "exhausted" };

/** Any error of an attempt as a HostFailure; `started`: text had arrived from the host. */
export function hostFailureOf(error: unknown, started: boolean): HostFailure {
  if (error instanceof HostFailure) return error;
  if (error instanceof BusyError) {
    return new HostFailure(error.message, "busy", false, error.retryAfterMs);
  }
  if (error instanceof BackendError) {
    const code = error.status === 400
      ? "bad_request"
      : error.status === 404
      ? "no_model"
      : "upstream";
    return new HostFailure(error.message, code, started);
  }
  return new HostFailure((error as Error)?.message ?? String(error), "upstream", started);
}

/** The next step after `host` failed with `error`. */
export function failoverStep(error: unknown, host: AttemptedHost, started: boolean): FailoverStep {
  if (error instanceof ChatError) return { kind: "give_up", error };
  const failure = hostFailureOf(error, started);
  if (failure.code === "bad_request") {
    return { kind: "give_up", error: new ChatError(failure.message, "bad_request") };
  }
  const onlyLoaded = failure.code === "busy" ||
    (!host.local && failure.code === "rate_limited");
  return {
    kind: "retry",
    attempt: { host: host.name, code: failure.code, message: failure.message },
    exclude: host.id,
    markUnhealthy: onlyLoaded ? null : host.local ? "local" : "remote",
  };
}

/** The error a chat ends with when no host is left, listing every attempt. */
export function finalError(reason: NoMoreHosts, attempts: readonly Attempt[]): ChatError {
  if (reason.kind === "busy") return new ChatError(reason.message, "busy");
  const tried = attempts.map((a) => `${a.host}: ${a.code} (${a.message})`).join("; ");
  if (reason.kind === "exhausted") {
    return new ChatError(
      `gave up after ${attempts.length} hosts failed — tried ${tried}`,
      "no_host",
    );
  }
  if (attempts.length === 0) return new ChatError(reason.message, "no_host");
  const codes = new Set(attempts.map((a) => a.code));
  const onlyLoad = [...codes].every((code) => code === "busy" || code === "rate_limited");
  if (onlyLoad && codes.has("busy")) {
    return new ChatError(`every host is busy — ${tried}`, "busy");
  }
  if (onlyLoad) return new ChatError(`rate limited by every host — ${tried}`, "rate_limited");
  return new ChatError(`${reason.message} — tried ${tried}`, "no_host");
}
