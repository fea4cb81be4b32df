import assert from "node:assert/strict";
import { DEFAULT_CLI_PORT, parseCliArgs } from "./cli.ts";

function options(args: string[]) {
  const command = parseCliArgs(args);
  assert.equal(command.help, false);
  return command.help ? {} : command.options;
}

Deno.test("parseCliArgs() defaults to Ollama's port", () => {
  assert.deepEqual(options([]), { port: DEFAULT_CLI_PORT });
});

Deno.test("parseCliArgs() reads every option, with spaces or =", () => {
  assert.deepEqual(
    options([
      "--port",
      "0",
      "--host=127.0.0.2",
      "--models",
      "a, b:7b",
      "--token-latency-ms",
      "5",
      "--first-token-latency-ms=50",
      "--tokens",
      "8",
      "--parallel",
      "2",
      "--max-queue",
      "3",
      "--control-port",
      "0",
      "--control-socket",
      "/tmp/x.sock",
    ]), // deno-fmt-ignore
    {
      port: 0,
      hostname: "127.0.0.2",
      models: ["a", "b:7b"],
      tokenLatencyMs: 5,
      firstTokenLatencyMs: 50,
      tokens: 8,
      parallel: 2,
      maxQueue: 3,
      controlPort: 0,
      controlPath: "/tmp/x.sock",
    },
  );
});

Deno.test("parseCliArgs() builds a fault from --fault and --fault-* flags", () => {
  assert.deepEqual(options(["--fault", "none"]).fault, { kind: "none" });
  assert.deepEqual(
    options(["--fault", "closeMidStream", "--fault-after", "5", "--fault-times", "1"]).fault,
    { kind: "closeMidStream", afterTokens: 5, times: 1 },
  );
  assert.deepEqual(
    options(["--fault", '{"kind":"http500","endpoints":["tags"]}', "--fault-status", "503"]).fault,
    { kind: "http500", endpoints: ["tags"], status: 503 },
  );
});

Deno.test("parseCliArgs() refuses bad input, quoting it", () => {
  assert.throws(() => parseCliArgs(["--port", "abc"]), /--port needs a number, got "abc"/);
  assert.throws(() => parseCliArgs(["--port"]), /--port needs a value/);
  assert.throws(() => parseCliArgs(["--bogus"]), /unknown option "--bogus"/);
  assert.throws(() => parseCliArgs(["--fault", "explode"]), /invalid fault.*"explode"/);
  assert.throws(() => parseCliArgs(["--fault-after", "2"]), /--fault-\* options need --fault/);
  assert.throws(
    () => parseCliArgs(["--fault", "http500", "--fault-after", "2"]),
    /afterTokens not used by kind "http500"/,
  );
});

Deno.test("parseCliArgs() reads --api, model specs as JSON and --fault-for-ms", () => {
  assert.deepEqual(options(["--api", "openai"]).apis, ["openai"]);
  assert.deepEqual(options(["--api", "both"]).apis, ["ollama", "openai"]);
  assert.throws(
    () => parseCliArgs(["--api", "grpc"]),
    /--api needs ollama, openai or both, got "grpc"/,
  );
  assert.deepEqual(
    options([
      "--models",
      '["a:1b", {"name":"e-embed","embeddingLength":8,"capabilities":["embedding"]}]',
    ])
      .models,
    ["a:1b", { name: "e-embed", embeddingLength: 8, capabilities: ["embedding"] }],
  );
  assert.throws(() => parseCliArgs(["--models", '[{"name":"x","size":-1}]']), /--models: 0.size/);
  assert.deepEqual(
    options(["--fault", "stall", "--fault-after", "3", "--fault-for-ms", "500"]).fault,
    {
      kind: "stall",
      afterTokens: 3,
      forMs: 500,
    },
  );
});

Deno.test("parseCliArgs() recognises --help", () => {
  assert.deepEqual(parseCliArgs(["--port", "1", "--help"]), { help: true });
});
