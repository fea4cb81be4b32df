import assert from "node:assert/strict";
import { ConfigError, parseCommandLine, parseConfigFile, readEnv, resolveConfig } from "./load.ts";

Deno.test("resolveConfig() gives the zero-config defaults", () => {
  const config = resolveConfig({});
  assert.equal(config.httpPort, 8080);
  assert.equal(config.peerPort, 7878);
  assert.equal(config.discoveryPort, 5000);
  assert.equal(config.httpHost, "127.0.0.1");
  assert.equal(config.discovery, true);
  assert.equal(config.rateLimit, 100);
  assert.equal(config.maxFrameBytes, 50 * 1024 * 1024);
});

Deno.test("parseCommandLine() reads settings, repeatable peers and --no- switches", () => {
  const cli = parseCommandLine([
    "--http-port",
    "9000",
    "--peer",
    "10.0.0.2",
    "--peer",
    "10.0.0.3:7000",
    "--no-discovery",
    "export",
    "out",
  ]);
  assert.deepEqual(cli.command, ["export", "out"]);
  const config = resolveConfig(cli.flags);
  assert.equal(config.httpPort, 9000);
  assert.deepEqual(config.peer, ["10.0.0.2", "10.0.0.3:7000"]);
  assert.equal(config.discovery, false);
});

Deno.test("flags win over environment, which wins over the config file", () => {
  const file = parseConfigFile(
    `{"http-port": 1000, "peerPort": 2000, "logLevel": "warn"}`,
    "f.json",
  );
  const env = readEnv((name) =>
    ({ NEUROMESH_PEER_PORT: "3000", NEUROMESH_LOG_LEVEL: "debug" })[name]
  );
  const config = resolveConfig(file, env, parseCommandLine(["--log-level", "error"]).flags);
  assert.equal(config.httpPort, 1000);
  assert.equal(config.peerPort, 3000);
  assert.equal(config.logLevel, "error");
});

Deno.test("a bad value is one clear line naming the setting and the value", () => {
  assert.throws(
    () => resolveConfig(parseCommandLine(["--peer-port", "70000"]).flags),
    (error: Error) =>
      error instanceof ConfigError && /--peer-port/.test(error.message) &&
      /70000/.test(error.message),
  );
  assert.throws(() => resolveConfig({ allowCidr: ["10.0.0.0/99"] }), /--allow-cidr/);
  assert.throws(() => resolveConfig({ ollamaUrl: "ftp://x" }), /--ollama-url/);
  assert.throws(() => resolveConfig({ peer: ["bad host:x"] }), /--peer/);
});

Deno.test("an unknown flag or config key is refused", () => {
  assert.throws(() => parseCommandLine(["--bogus", "1"]), ConfigError);
  assert.throws(() => parseConfigFile(`{"bogus": 1}`, "f.json"), /unknown setting "bogus"/);
  assert.throws(() => parseConfigFile(`[1]`, "f.json"), /JSON object/);
  assert.throws(() => parseConfigFile(`{`, "f.json"), /not valid JSON/);
});

Deno.test("boolean settings are bare switches with a --no- form", () => {
  const config = resolveConfig(
    parseCommandLine(["--include-loopback", "--no-sharing", "--no-open"]).flags,
  );
  assert.equal(config.includeLoopback, true);
  assert.equal(config.sharing, false);
  assert.equal(config.open, false);
  assert.throws(() => parseCommandLine(["--no-http-port"]), ConfigError);
  const spelled = resolveConfig(
    parseCommandLine(["--include-loopback=true", "--sharing=false"]).flags,
  );
  assert.equal(spelled.includeLoopback, true);
  assert.equal(spelled.sharing, false);
});

Deno.test("--allow-origin is repeatable, a comma list in the environment, and checked", () => {
  const cli = resolveConfig(
    parseCommandLine([
      "--allow-origin",
      "http://10.0.0.5:3000",
      "--allow-origin",
      "http://localhost:*",
    ]).flags,
  );
  assert.deepEqual(cli.allowOrigin, ["http://10.0.0.5:3000", "http://localhost:*"]);
  const env = readEnv((name) =>
    ({ NEUROMESH_ALLOW_ORIGIN: "https://a.example, http://b:81" })[name]
  );
  assert.deepEqual(resolveConfig(env).allowOrigin, ["https://a.example", "http://b:81"]);
  const file = parseConfigFile(`{"allow-origin": ["*"], "maxChatBodyBytes": 1000}`, "f.json");
  assert.deepEqual(resolveConfig(file).allowOrigin, ["*"]);
  assert.throws(() => resolveConfig({ allowOrigin: ["null"] }), /--allow-origin/);
  assert.throws(() => resolveConfig({ allowOrigin: ["http://x/path"] }), /--allow-origin/);
});

Deno.test("body limits and the header timeout have defaults and take numbers", () => {
  const config = resolveConfig({});
  assert.equal(config.maxBodyBytes, 1024 * 1024);
  assert.equal(config.maxChatBodyBytes, 32 * 1024 * 1024);
  assert.equal(config.headerTimeoutMs, 10_000);
  const set = resolveConfig(
    parseCommandLine(["--max-chat-body-bytes", "1000", "--header-timeout-ms", "500"]).flags,
  );
  assert.equal(set.maxChatBodyBytes, 1000);
  assert.equal(set.headerTimeoutMs, 500);
  assert.throws(() => resolveConfig({ maxBodyBytes: 0 }), /--max-body-bytes/);
});

Deno.test("--log-format is text by default, json from a flag, NEUROMESH_LOG_FORMAT or the file", () => {
  assert.equal(resolveConfig({}).logFormat, "text");
  assert.equal(resolveConfig(parseCommandLine(["--log-format", "json"]).flags).logFormat, "json");
  const env = readEnv((name) => ({ NEUROMESH_LOG_FORMAT: "json" })[name]);
  assert.equal(resolveConfig(env).logFormat, "json");
  assert.equal(
    resolveConfig(parseConfigFile(`{"log-format": "json"}`, "f.json")).logFormat,
    "json",
  );
  assert.throws(
    () => resolveConfig(parseCommandLine(["--log-format", "xml"]).flags),
    (error: Error) =>
      error instanceof ConfigError && /--log-format/.test(error.message) &&
      /"xml"/.test(error.message),
  );
});

Deno.test("parseCommandLine() puts subcommand options with a value into extra", () => {
  const cli = parseCommandLine(
    ["run", "llama3.2", "hi there", "--host", "http://10.0.0.5:8080", "--dry-run"],
    ["dry-run"],
    ["host"],
  );
  assert.deepEqual(cli.command, ["run", "llama3.2", "hi there"]);
  assert.deepEqual(cli.extra, { host: "http://10.0.0.5:8080", "dry-run": true });
  assert.deepEqual(cli.flags, {});
  assert.throws(
    () => parseCommandLine(["--host", "x"]),
    ConfigError,
    "not known without the option",
  );
});
