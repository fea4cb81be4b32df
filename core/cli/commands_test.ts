import assert from "node:assert/strict";
import { ConfigError, resolveConfig } from "../config/load.ts";
import { clientCommand, type CliIo } from "./commands.ts";
import { closedPortUrl, json, ndjson, startFakeNode } from "./testing/fake_node.ts";
import { PS, STATUS, TAGS, TRUST } from "./testing/sample_views.ts";

function fakeIo() {
  const printed: string[] = [];
  const errors: string[] = [];
  const written: string[] = [];
  const io: CliIo = {
    print: (line) => void printed.push(line),
    error: (line) => void errors.push(line),
    write: (text) => Promise.resolve(void written.push(text)),
    async *lines() {},
    interactive: false,
  };
  return { io, printed, errors, written };
}

function invocation(command: string[], host?: string, settings: Record<string, unknown> = {}) {
  const extra: Record<string, string | boolean> = host === undefined ? {} : { host };
  return { command, config: resolveConfig(settings), extra };
}

function node() {
  return startFakeNode({
    "GET /api/status": () => json(STATUS),
    "GET /api/tags": () => json(TAGS),
    "GET /api/ps": () => json(PS),
    "GET /api/trust": () => json(TRUST),
    "POST /api/chat": () => ndjson([{ message: { content: "hello" }, done: true }]),
  });
}

Deno.test("ls, ps, status and run talk to the node given by --host", async () => {
  await using fake = node();
  for (
    const [command, first] of [
      [["ls"], /^NAME +PARAMS +SIZE +HOSTS$/],
      [["ps"], /^NAME +HOST +LOAD +SIZE +UNTIL$/],
      [["status"], /^Node +desk \(AAAAAAA-AAAAAAA\)/],
    ] as const
  ) {
    const { io, printed, errors } = fakeIo();
    assert.equal(await clientCommand(invocation([...command], fake.url), io), 0, command[0]);
    assert.match(printed[0], first);
    assert.deepEqual(errors, []);
  }
  const { io, written } = fakeIo();
  assert.equal(
    await clientCommand(invocation(["run", "llama3.2", "why", "is", "it?"], fake.url), io),
    0,
  );
  assert.equal(written.join(""), "hello\n");
  assert.deepEqual((fake.requests.at(-1)!.body as { messages: unknown }).messages, [
    { role: "user", content: "why is it?" },
  ]);
});

Deno.test("the node address comes from --http-port and the token from --http-token", async () => {
  await using fake = node();
  const port = Number(new URL(fake.url).port);
  const token = "0123456789abcdef0123";
  const { io } = fakeIo();
  assert.equal(
    await clientCommand(invocation(["ls"], undefined, { httpPort: port, httpToken: token }), io),
    0,
  );
  assert.equal(fake.requests[0].authorization, `Bearer ${token}`);
});

Deno.test("no node running: one line on stderr and exit code 1", async () => {
  const url = closedPortUrl();
  for (const command of [["ls"], ["ps"], ["status"], ["run", "m", "hi"], ["run", "m"]]) {
    const { io, printed, errors } = fakeIo();
    io.lines = async function* () {
      yield "hi";
    };
    assert.equal(await clientCommand(invocation(command, url), io), 1, command.join(" "));
    assert.deepEqual(errors, [
      `neuromesh: no NeuroMesh node answers at ${url}: start one with \`neuromesh\``,
    ]);
    assert.deepEqual(printed, []);
  }
});

Deno.test("usage errors are ConfigErrors (exit code 2)", async () => {
  const { io } = fakeIo();
  await assert.rejects(() => clientCommand(invocation(["run"], "127.0.0.1:1"), io), ConfigError);
  await assert.rejects(
    () => clientCommand(invocation(["ls", "extra"], "127.0.0.1:1"), io),
    /usage: neuromesh ls/,
  );
  await assert.rejects(
    () => clientCommand(invocation(["ls"], "ftp://x"), io),
    /--host needs an http\(s\) URL/,
  );
});

Deno.test("main.ts: `neuromesh ls` without a node prints one line and exits 1", async () => {
  const url = closedPortUrl();
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("../../main.ts", import.meta.url).pathname, "ls", "--host", url],
    env: { NO_COLOR: "1", RUST_BACKTRACE: "0" },
    stdin: "null",
  }).output();
  assert.equal(output.code, 1);
  assert.equal(
    new TextDecoder().decode(output.stderr),
    `neuromesh: no NeuroMesh node answers at ${url}: start one with \`neuromesh\`\n`,
  );
  assert.equal(new TextDecoder().decode(output.stdout), "");
});
