import assert from "node:assert/strict";
import { BackendError } from "./backend.ts";
import { ChatError } from "./chat.ts";
import {
  type Attempt,
  failoverStep,
  finalError,
  hostFailureOf,
  type NoMoreHosts,
} from "./failover.ts";
import { HostFailure } from "./inference_client.ts";
import { BusyError } from "./slot_pool.ts";

const LOCAL = { id: "SELF", name: "self", local: true };
const PEER = { id: "PEER", name: "peer", local: false };

Deno.test("hostFailureOf() classifies every error an attempt can end with", () => {
  const table: [string, unknown, boolean, { code: string; started: boolean; retry?: number }][] = [
    ["a HostFailure as it is", new HostFailure("gone", "link_down", true), false, {
      code: "link_down",
      started: true,
    }],
    ["a full local queue as busy, never started", new BusyError("full", 500), true, {
      code: "busy",
      started: false,
      retry: 500,
    }],
    ["a backend 400 as bad_request", new BackendError("bad", 400), false, {
      code: "bad_request",
      started: false,
    }],
    ["a backend 404 as no_model", new BackendError("no such model", 404), true, {
      code: "no_model",
      started: true,
    }],
    ["another backend status as upstream", new BackendError("down", 500), true, {
      code: "upstream",
      started: true,
    }],
    ["anything else as upstream", new TypeError("fetch failed"), false, {
      code: "upstream",
      started: false,
    }],
  ];
  for (const [what, error, started, expected] of table) {
    const failure = hostFailureOf(error, started);
    assert.equal(failure.code, expected.code, what);
    assert.equal(failure.started, expected.started, what);
    assert.equal(failure.retryAfterMs, expected.retry, what);
  }
});

Deno.test("failoverStep() gives up, or excludes the host and marks it unhealthy only for real failures", () => {
  const table: [string, unknown, typeof LOCAL, string | null, "local" | "remote" | null][] = [
    // [what, error, host, give-up kind (or null to retry), host marked unhealthy]
    ["a ChatError ends the chat", new ChatError("no", "no_host"), PEER, "no_host", null],
    ["a bad request fails everywhere", new BackendError("bad", 400), LOCAL, "bad_request", null],
    [
      "a remote refusal for bad input too",
      new HostFailure("x", "bad_request", false),
      PEER,
      "bad_request",
      null,
    ],
    [
      "a busy peer is skipped, still healthy",
      new HostFailure("full", "busy", false),
      PEER,
      null,
      null,
    ],
    [
      "a rate-limiting peer is skipped, still healthy",
      new HostFailure("slow", "rate_limited", false),
      PEER,
      null,
      null,
    ],
    [
      "a peer whose link broke is marked",
      new HostFailure("gone", "link_down", true),
      PEER,
      null,
      "remote",
    ],
    [
      "a peer that refused access is marked",
      new HostFailure("no", "forbidden", false),
      PEER,
      null,
      "remote",
    ],
    ["a full local queue is skipped, still healthy", new BusyError("full"), LOCAL, null, null],
    ["a broken local backend is marked", new BackendError("down", 500), LOCAL, null, "local"],
    [
      "a local rate limit counts as a failure",
      new HostFailure("x", "rate_limited", false),
      LOCAL,
      null,
      "local",
    ],
  ];
  for (const [what, error, host, giveUp, marked] of table) {
    const step = failoverStep(error, host, false);
    if (giveUp) {
      assert.equal(step.kind, "give_up", what);
      assert.equal(step.kind === "give_up" && step.error.kind, giveUp, what);
      continue;
    }
    assert.equal(step.kind, "retry", what);
    if (step.kind !== "retry") continue;
    assert.equal(step.exclude, host.id, what);
    assert.equal(step.markUnhealthy, marked, what);
    assert.equal(step.attempt.host, host.name, what);
  }
});

Deno.test("failoverStep() keeps the same ChatError it was given", () => {
  const error = new ChatError("stop", "bad_request");
  assert.deepEqual(failoverStep(error, PEER, true), { kind: "give_up", error });
});

Deno.test("finalError() names every attempt and picks the kind the attempts share", () => {
  const busy: Attempt = { host: "a", code: "busy", message: "queue full" };
  const limited: Attempt = { host: "b", code: "rate_limited", message: "100/min" };
  const broken: Attempt = { host: "c", code: "upstream", message: "exit status 2" };
  const noHost: NoMoreHosts = { kind: "no_host", model: "m", message: 'model "m" is gone' };
  const table: [string, NoMoreHosts, Attempt[], string, string][] = [
    [
      "the router's busy answer as it is",
      { kind: "busy", model: "m", message: "all full" },
      [
        broken,
      ],
      "busy",
      "all full",
    ],
    ["no attempt: the router's message", noHost, [], "no_host", 'model "m" is gone'],
    [
      "only busy and rate limits: busy",
      noHost,
      [busy, limited],
      "busy",
      "every host is busy — a: busy (queue full); b: rate_limited (100/min)",
    ],
    [
      "only rate limits: rate_limited",
      noHost,
      [limited],
      "rate_limited",
      "rate limited by every host — b: rate_limited (100/min)",
    ],
    [
      "a real failure: no_host naming all",
      noHost,
      [busy, broken],
      "no_host",
      'model "m" is gone — tried a: busy (queue full); c: upstream (exit status 2)',
    ],
    [
      "too many attempts",
      { kind: "exhausted" },
      [broken, broken],
      "no_host",
      "gave up after 2 hosts failed — tried c: upstream (exit status 2); c: upstream (exit status 2)",
    ],
  ];
  for (const [what, reason, attempts, kind, message] of table) {
    const error = finalError(reason, attempts);
    assert.equal(error.kind, kind, what);
    assert.equal(error.message, message, what);
  }
});
