import assert from "node:assert/strict";
import { createLogger, formatJsonLine, formatLine } from "./logger.ts";

function capture(options: Parameters<typeof createLogger>[0]) {
  const lines: string[] = [];
  return { lines, logger: createLogger(options, "node", (line) => lines.push(line)) };
}

Deno.test("createLogger() writes text lines by default", () => {
  const { lines, logger } = capture("info");
  logger.child("peers").info("link up", { id: "ABC", addr: "10.0.0.2:7878", note: "two words" });
  assert.equal(lines.length, 1);
  assert.match(
    lines[0],
    /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z INFO {2}node\.peers link up id=ABC addr=10\.0\.0\.2:7878 note="two words"$/,
  );
});

Deno.test("createLogger({ format: 'json' }) writes one JSON object a line", () => {
  const { lines, logger } = capture({ level: "debug", format: "json" });
  logger.child("llm").child("router").warn("host failed", {
    host: "desk",
    attempt: 2,
    error: new Error("connection refused"),
    skipped: undefined,
    nested: { a: [1, 2] },
  });
  assert.equal(lines.length, 1);
  assert.ok(!lines[0].includes("\n"));
  const line = JSON.parse(lines[0]);
  assert.deepEqual(Object.keys(line), [
    "time",
    "level",
    "logger",
    "msg",
    "host",
    "attempt",
    "error",
    "nested",
  ]);
  assert.match(line.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.deepEqual(
    { ...line, time: undefined },
    {
      time: undefined,
      level: "warn",
      logger: "node.llm.router",
      msg: "host failed",
      host: "desk",
      attempt: 2,
      error: "connection refused",
      nested: { a: [1, 2] },
    },
  );
});

Deno.test("the level filters lines in both formats", () => {
  for (const format of ["text", "json"] as const) {
    const { lines, logger } = capture({ level: "warn", format });
    logger.debug("a");
    logger.info("b");
    logger.warn("c");
    logger.error("d");
    assert.equal(lines.length, 2, format);
  }
});

Deno.test("formatJsonLine() keeps reserved keys and serializes awkward values", () => {
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  const line = JSON.parse(formatJsonLine("error", "x", "m", {
    level: "shadow",
    msg: "shadow",
    big: 12n,
    cyclic,
    inner: { error: new Error("inner") },
    text: 'quote " and\nnewline',
  }));
  assert.equal(line.level, "error");
  assert.equal(line.msg, "m");
  assert.equal(line["field.level"], "shadow");
  assert.equal(line["field.msg"], "shadow");
  assert.equal(line.big, "12");
  assert.equal(line.cyclic, "[object Object]");
  assert.deepEqual(line.inner, { error: "inner" });
  assert.equal(line.text, 'quote " and\nnewline');
});

Deno.test("formatLine() quotes values that need it and never prints stacks", () => {
  const line = formatLine("error", "node", "failed", { error: new Error("boom"), n: 3 });
  assert.match(line, / ERROR node failed error="boom" n=3$/);
  assert.ok(!line.includes("at "));
});

Deno.test("createLogger() refuses an unknown format, naming it", () => {
  assert.throws(
    () => createLogger({ level: "info", format: "xml" as "json" }),
    /unknown format "xml"/,
  );
});
