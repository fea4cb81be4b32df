import assert from "node:assert/strict";
import { finalError } from "../../core/llm/failover.ts";
import { describeStreamError, errorText, listNames, plainFailure, triedHosts } from "./errors.ts";

/** The error text the node sends when every host it tried failed (the real producer). */
const nodeError = (attempts: { host: string; code: string; message: string }[]) =>
  finalError(
    { kind: "no_host", message: "no LLM host can take this request (2 host(s) already failed)" },
    attempts as Parameters<typeof finalError>[1],
  );

Deno.test("triedHosts() reads the hosts out of the node's own error text", () => {
  const error = nodeError([
    {
      host: "node2",
      code: "upstream",
      message: "connect ECONNREFUSED 127.0.0.1:11434 (os error 111)",
    },
    { host: "node 3", code: "link_down", message: "peer link lost" },
  ]);
  assert.deepEqual(triedHosts(error.message), [
    {
      host: "node2",
      code: "upstream",
      message: "connect ECONNREFUSED 127.0.0.1:11434 (os error 111)",
    },
    { host: "node 3", code: "link_down", message: "peer link lost" },
  ]);
  assert.deepEqual(triedHosts("model crashed"), []);
});

Deno.test("describeStreamError() names the hosts that were tried and what to do there", () => {
  const error = nodeError([
    { host: "node2", code: "upstream", message: "connect ECONNREFUSED" },
    { host: "node3", code: "link_down", message: "peer link lost" },
  ]);
  const text = describeStreamError(error.kind, error.message, { hostCount: 2 });
  assert.equal(
    text,
    "Ollama on node2 and node3 isn't answering — check that it is running there. " +
      "Then try again, or pick another model.",
  );
  assert.doesNotMatch(text, /Start Ollama on this device/);
});

Deno.test("describeStreamError() says 'this device' for itself and sorts hosts by what happened", () => {
  const error = nodeError([
    { host: "desk", code: "upstream", message: "connect ECONNREFUSED" },
    { host: "laptop", code: "no_model", message: "model not installed" },
    { host: "gpu", code: "not_serving", message: "LLM sharing is off" },
  ]);
  assert.equal(
    describeStreamError(error.kind, error.message, { hostCount: 3, selfName: "desk" }),
    "Ollama on this device isn't answering — check that it is running there (ollama serve); " +
      "laptop no longer has this model; gpu did not let this device use its model. " +
      "Then try again, or pick another model.",
  );
});

Deno.test("describeStreamError() tells a host that is down from one whose Ollama failed", () => {
  const error = nodeError([
    { host: "node2", code: "upstream", message: "ollama answered 500: model runner crashed" },
    { host: "node3", code: "upstream", message: "error sending request: tcp connect error" },
  ]);
  assert.equal(
    describeStreamError(error.kind, error.message, { hostCount: 2 }),
    "Ollama on node3 isn't answering — check that it is running there; " +
      "Ollama on node2 failed (ollama answered 500: model runner crashed). " +
      "Then try again, or pick another model.",
  );
});

Deno.test("describeStreamError() gives the 'start Ollama' hint only when no device hosts a model", () => {
  const none = "no LLM host is reachable: no local backend is up and no peer shares a model";
  assert.match(
    describeStreamError("no_host", none, { hostCount: 0 }),
    /Start Ollama on this device/,
  );
  assert.doesNotMatch(
    describeStreamError("no_host", "no LLM host can take this request", { hostCount: 2 }),
    /Start Ollama/,
  );
  assert.equal(
    describeStreamError(
      "no_host",
      'model "llama3:70b" is not available on the mesh; the mesh offers: qwen2.5',
      { hostCount: 1 },
    ),
    "No device in the mesh has the model “llama3:70b” right now. Pick another model, or Auto.",
  );
});

Deno.test("describeStreamError() names busy and rate-limiting hosts", () => {
  const busy = finalError({ kind: "no_host", message: "x" }, [
    { host: "node2", code: "busy", message: "queue full" },
    { host: "node3", code: "busy", message: "queue full" },
  ]);
  assert.equal(busy.kind, "busy");
  assert.equal(
    describeStreamError(busy.kind, busy.message),
    "Every host of this model is busy (node2 and node3). Try again shortly or pick another model.",
  );
  const limited = finalError({ kind: "no_host", message: "x" }, [
    { host: "node2", code: "rate_limited", message: "60/min" },
  ]);
  assert.match(
    describeStreamError(limited.kind, limited.message),
    /^node2 refused for now .*rate limit/,
  );
});

Deno.test("describeStreamError() explains the other kinds in plain words", () => {
  assert.match(describeStreamError("rate_limited", "60/min"), /rate limit.*\(60\/min\)/s);
  assert.match(describeStreamError("busy", ""), /busy/);
  assert.match(describeStreamError("upstream", "model crashed"), /model crashed/);
  assert.match(
    describeStreamError("bad_request", "content must not be empty"),
    /content must not be empty/,
  );
  assert.match(describeStreamError("unreachable", ""), /cannot be reached/);
});

Deno.test("listNames() joins names as a sentence does", () => {
  assert.equal(listNames([]), "");
  assert.equal(listNames(["a"]), "a");
  assert.equal(listNames(["a", "b", "c"]), "a, b and c");
});

Deno.test("errorText() gives an error's message, or anything else as text", () => {
  assert.equal(errorText(new Error("boom")), "boom");
  assert.equal(errorText("plain"), "plain");
  assert.equal(errorText(404), "404");
});

Deno.test("plainFailure() explains a stored answer's error when it names hosts, else nothing", () => {
  const error = nodeError([{ host: "node2", code: "link_down", message: "peer link lost" }]);
  assert.equal(
    plainFailure(error.message),
    "Ollama on node2 isn't answering — check that it is running there. " +
      "Then try again, or pick another model.",
  );
  assert.match(plainFailure("every host is busy — node2: busy (full)")!, /busy \(node2\)/);
  assert.equal(plainFailure("model crashed"), undefined);
});
