/**
 * What the LLM layer reports about the chats it routes, for metrics: each attempt on a host,
 * its time to first token and tokens, each failover and why. The observer must not throw.
 */
import type { HostFailure } from "./inference_client.ts";

/** Why a chat left a host (the `reason` label of the failover metric and the answer's note). */
export type FailoverReason = "died" | "stalled" | "error" | "busy";

/** A host as the observer sees it. */
export interface ObservedHost {
  id: string;
  name: string;
  local: boolean;
}

export interface ChatObserver {
  /** A chat (or its continuation) was sent to `host`. */
  attempt(host: ObservedHost, model: string): void;
  /** The host's first token arrived `ms` after the attempt started. */
  firstToken(host: ObservedHost, model: string, ms: number): void;
  /** The host's stream ended (whole or not) after producing `tokens` tokens. */
  tokens(host: ObservedHost, model: string, tokens: number): void;
  /** The chat left `host` for another one. */
  failover(host: ObservedHost, model: string, reason: FailoverReason): void;
}

/** Why a failed attempt was failed over: stalled, died mid-answer or gone, loaded, or an error. */
export function failoverReasonOf(failure: HostFailure): FailoverReason {
  switch (failure.code) {
    case "stalled":
      return "stalled";
    case "link_down":
    case "timeout":
    case "shutting_down":
      return "died";
    case "busy":
    case "rate_limited":
      return "busy";
    case "upstream":
      return failure.started ? "died" : "error";
    default:
      return "error";
  }
}

export const noObserver: ChatObserver = {
  attempt() {},
  firstToken() {},
  tokens() {},
  failover() {},
};
