import assert from "node:assert/strict";
import { describeStreamError, errorText } from "./errors.ts";

Deno.test("describeStreamError() explains each kind in plain words", () => {
  assert.match(describeStreamError("no_host", "x"), /No LLM is available anywhere in the mesh/);
  assert.match(describeStreamError("rate_limited", "60/min"), /rate limit.*\(60\/min\)/s);
  assert.match(describeStreamError("busy", ""), /busy/);
  assert.match(describeStreamError("upstream", "model crashed"), /model crashed/);
  assert.match(
    describeStreamError("bad_request", "content must not be empty"),
    /content must not be empty/,
  );
  assert.match(describeStreamError("unreachable", ""), /cannot be reached/);
});

Deno.test("errorText() gives an error's message, or anything else as text", () => {
  assert.equal(errorText(new Error("boom")), "boom");
  assert.equal(errorText("plain"), "plain");
  assert.equal(errorText(404), "404");
});
