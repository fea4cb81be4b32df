/**
 * `neuromesh export` and `neuromesh import` end to end: real node processes on loopback (no
 * discovery, free ports, data dirs in a temp folder), compared through the HTTP API.
 */
import assert from "node:assert/strict";
import { canonicalJson } from "../../core/sync/merge.ts";
import { startOllamaDouble } from "../ollama_double/server.ts";
import { DENO, MAIN_TS, waitFor } from "./lab.ts";
import {
  allConversations,
  type ApiConversation,
  ask,
  createConversation,
  listConversations,
  replicated,
} from "./sync_client.ts";

const loopback = { sanitizeResources: false, sanitizeOps: false };

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** `neuromesh <args>` to completion; returns its standard output. */
async function cli(args: string[]): Promise<string> {
  const out = await new Deno.Command(DENO, {
    args: ["run", "--allow-all", "--quiet", MAIN_TS, ...args],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", RUST_BACKTRACE: "0", DENO_NO_UPDATE_CHECK: "1" },
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  const stderr = new TextDecoder().decode(out.stderr);
  assert.ok(out.success, `neuromesh ${args.join(" ")} failed: ${stdout}${stderr}`);
  assert.equal(stderr, "", `neuromesh ${args.join(" ")} complained`);
  return stdout;
}

/**
 * Runs a node on `dataDir` (loopback only: no discovery, peer port on 127.0.0.1) while `body`
 * runs with its API URL; stops it gracefully after. `ollamaUrl` defaults to a closed port.
 */
async function withNode<T>(
  dataDir: string,
  body: (url: string) => Promise<T>,
  ollamaUrl = `http://127.0.0.1:${freePort()}`,
): Promise<T> {
  const httpPort = freePort();
  const log = `${dataDir}.log`;
  await Deno.mkdir(dataDir, { recursive: true });
  const child = new Deno.Command(DENO, {
    args: [
      "run",
      "--allow-all",
      "--quiet",
      MAIN_TS,
      ...["--data-dir", dataDir, "--name", "exporter", "--no-discovery", "--no-open"],
      ...["--http-port", String(httpPort), "--peer-host", "127.0.0.1"],
      ...["--peer-port", String(freePort()), "--ollama-url", ollamaUrl],
    ],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", RUST_BACKTRACE: "0", DENO_NO_UPDATE_CHECK: "1" },
  }).spawn();
  // Both streams to the log (one handle each: a writable takes one writer).
  const logged = Promise.all([child.stdout, child.stderr].map(async (stream) => {
    const file = await Deno.open(log, { create: true, append: true });
    await stream.pipeTo(file.writable);
  }));
  const url = `http://127.0.0.1:${httpPort}`;
  try {
    await waitFor(
      "node ready",
      async () => {
        const res = await fetch(`${url}/api/status`);
        await res.body?.cancel();
        return res.ok;
      },
      15_000,
      50,
    );
    return await body(url);
  } catch (error) {
    console.error(`node on ${dataDir}:\n${await Deno.readTextFile(log).catch(() => "")}`);
    throw error;
  } finally {
    try {
      child.kill("SIGTERM");
    } catch { /* already gone */ }
    await child.status;
    await logged.catch(() => {});
  }
}

/** Every conversation as all nodes hold it (without the per-node read-only flag). */
async function snapshot(url: string): Promise<string> {
  return canonicalJson((await allConversations(url)).map(replicated));
}

Deno.test({
  name:
    "export, then import into an empty node: identical conversations; importing twice adds nothing",
  ...loopback,
  async fn() {
    const root = await Deno.makeTempDir({ prefix: "neuromesh-export-" });
    await using ollama = await startOllamaDouble({ tokenLatencyMs: 1, models: ["tiny:1b"] });
    try {
      const [one, two, out] = [`${root}/one`, `${root}/two`, `${root}/out`];
      const before = await withNode(one, async (url) => {
        await waitFor(
          "the local LLM is known",
          async () => {
            const res = await fetch(`${url}/api/status`);
            return (await res.json()).node.hasLlm === true;
          },
          10_000,
          50,
        );
        const titled = await createConversation(url, "Titled by hand");
        for (const question of ["first question", "second question", "third question"]) {
          const events = await ask(url, titled.id, question);
          assert.equal(events.at(-1)?.type, "done", JSON.stringify(events.at(-1)));
        }
        const untitled = await createConversation(url);
        // No title given: the first question names the conversation.
        await ask(url, untitled.id, "a question that names its conversation");
        const errored = await createConversation(url, "an answer that failed");
        const refused = await fetch(`${url}/api/conversations/${errored.id}/messages`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ content: "ask a model nobody has", model: "absent:70b" }),
        });
        assert.match(await refused.text(), /"type":"error"/);
        await createConversation(url, "left empty");
        return await allConversations(url);
      }, ollama.url);
      assert.equal(before.length, 4);
      assert.ok(before.some((c) => c.title === "a question that names its conversation"));
      const withError = before.find((c) => c.title === "an answer that failed")!;
      assert.ok(withError.messages[1].error, "the failed answer keeps its error");
      const messageCount = before.reduce((n, c) => n + c.messages.length, 0);
      assert.equal(messageCount, 10);

      assert.equal(
        (await cli(["export", out, "--data-dir", one])).trim(),
        `exported 4 local and 0 received conversations (${messageCount} messages) to ${out}`,
      );
      // Every conversation file has exactly the original's shape.
      for (const conversation of before) {
        const file = JSON.parse(
          await Deno.readTextFile(`${out}/conversations/${conversation.id}.json`),
        );
        assertLegacyShape(file);
        assert.deepEqual(
          file.messages.map((m: { content: string }) => m.content),
          conversation.messages.map((m) => m.content),
        );
      }
      assertLegacyShape(JSON.parse(await Deno.readTextFile(`${out}/conversations/local.json`)));

      assert.match(
        await cli(["import", out, "--data-dir", two]),
        new RegExp(`^imported 4 conversations \\(${messageCount} new messages\\) from 5 files`),
      );
      assert.match(
        await cli(["import", out, "--data-dir", two]),
        /^imported 0 conversations \(0 new messages\) from 5 files/,
      );

      await withNode(two, async (url) => {
        const after = await allConversations(url);
        assert.deepEqual(after.map((c) => c.id), before.map((c) => c.id), "same conversation ids");
        for (const original of before) {
          const copy = after.find((c) => c.id === original.id)!;
          assert.equal(copy.title, original.title);
          assert.deepEqual(
            copy.messages.map((m) => [m.id, m.messageType, m.content]),
            original.messages.map((m) => [m.id, m.messageType, m.content]),
            `messages of "${original.title}", in order`,
          );
          // And everything else: timestamps, stamps, who answered with which model, stats.
          assert.equal(canonicalJson(replicated(copy)), canonicalJson(replicated(original)));
        }
        // They belong to the exporting node: here they are received from it, read-only.
        const list = await listConversations(url);
        assert.deepEqual(list.local, []);
        assert.deepEqual(list.received.map((g) => g.peer.name), ["exporter"]);

        // Importing again into the running node adds nothing either.
        const whileRunning = await snapshot(url);
        assert.match(
          await cli(["import", out, "--data-dir", two]),
          /^imported 0 conversations \(0 new messages\)/,
        );
        assert.equal(await snapshot(url), whileRunning);
      });
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
});

function assertLegacyShape(file: Record<string, unknown>) {
  assert.deepEqual(Object.keys(file).sort(), ["host_info", "id", "messages"]);
  const hostKeys = ["hostname", "ip_address", "is_llm_host"];
  assert.deepEqual(Object.keys(file.host_info as object).sort(), hostKeys);
  for (const message of file.messages as Record<string, unknown>[]) {
    assert.deepEqual(Object.keys(message).sort(), [
      "content",
      "host_info",
      "message_type",
      "sender",
      "timestamp",
    ]);
    assert.deepEqual(Object.keys(message.host_info as object).sort(), hostKeys);
    assert.match(message.timestamp as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$/);
  }
}

const ALICE = { hostname: "alice-laptop", ip_address: "192.168.1.20", is_llm_host: false };
const GPU = { hostname: "gpu-box", ip_address: "192.168.1.30", is_llm_host: true };
const BOB = { hostname: "bob-desktop", ip_address: "192.168.1.40", is_llm_host: false };

/** Files as the original NeuroMesh (Rust, serde + chrono) writes them: nine fractional digits. */
const ORIGINAL_LOCAL = {
  id: "8c5f0f5e-7a3b-4a43-9d84-1f2b1c0e9a11",
  messages: [
    {
      content: "What is the capital of France?",
      timestamp: "2025-03-25T13:56:00.304707400Z",
      sender: "alice",
      message_type: "Question",
      host_info: ALICE,
    },
    {
      content: "The capital of France is **Paris**.",
      timestamp: "2025-03-25T13:56:02.118003215Z",
      sender: "gpu-box",
      message_type: "Response",
      host_info: GPU,
    },
    {
      // Same millisecond as the answer before it: only the nanoseconds differ.
      content: "And of Italy?",
      timestamp: "2025-03-25T13:56:02.118003999Z",
      sender: "alice",
      message_type: "Question",
      host_info: ALICE,
    },
    {
      // The answering host's clock is behind: file order still decides.
      content: "Rome.",
      timestamp: "2025-03-25T13:56:01.000000001Z",
      sender: "gpu-box",
      message_type: "Response",
      host_info: GPU,
    },
  ],
  host_info: ALICE,
};
const ORIGINAL_RECEIVED = {
  id: "0b6f3c1e-55d2-4c1a-9a7e-3d2f1e0c9b88",
  messages: [
    {
      content: "Bonjour ?",
      timestamp: "2025-03-24T08:00:00.000000001Z",
      sender: "bob",
      message_type: "Question",
      host_info: BOB,
    },
    {
      content: "Bonjour ! Comment puis-je vous aider ?",
      timestamp: "2025-03-24T08:00:03.999999999Z",
      sender: "gpu-box",
      message_type: "Response",
      host_info: GPU,
    },
  ],
  host_info: BOB,
};

Deno.test({
  name:
    "files of the original NeuroMesh import with their nine-digit timestamps and export back unchanged",
  ...loopback,
  async fn() {
    const root = await Deno.makeTempDir({ prefix: "neuromesh-legacy-" });
    try {
      const [original, data, out] = [`${root}/original`, `${root}/data`, `${root}/out`];
      await Deno.mkdir(`${original}/conversations`, { recursive: true });
      await Deno.mkdir(`${original}/received/bob`, { recursive: true });
      await Deno.writeTextFile(
        `${original}/conversations/local.json`,
        JSON.stringify(ORIGINAL_LOCAL, null, 2),
      );
      await Deno.writeTextFile(
        `${original}/received/bob/local.json`,
        JSON.stringify(ORIGINAL_RECEIVED),
      );

      assert.match(
        await cli(["import", original, "--data-dir", data]),
        /^imported 2 conversations \(6 new messages\) from 2 files/,
      );
      assert.match(
        await cli(["import", original, "--data-dir", data]),
        /^imported 0 conversations \(0 new messages\) from 2 files/,
      );

      await withNode(data, async (url) => {
        const list = await listConversations(url);
        assert.deepEqual(
          list.local.map((c) => c.id),
          [ORIGINAL_LOCAL.id],
          "conversations/ is ours",
        );
        assert.deepEqual(
          list.received.map((g) => [g.peer.id, g.peer.name, g.conversations.map((c) => c.id)]),
          [["legacy-bob", "bob-desktop", [ORIGINAL_RECEIVED.id]]],
          "received/bob/ is filed as received from a legacy node",
        );
        const all = await allConversations(url);
        for (const legacy of [ORIGINAL_LOCAL, ORIGINAL_RECEIVED]) {
          const imported = all.find((c) => c.id === legacy.id)!;
          assert.equal(imported.title, legacy.messages[0].content, "titled by the first question");
          assert.deepEqual(
            imported.messages.map((m) => [m.content, m.timestamp, m.sender, m.messageType]),
            legacy.messages.map((m) => [m.content, m.timestamp, m.sender, m.message_type]),
            "file order and exact timestamps",
          );
          assertMessageHosts(imported, legacy.messages.map((m) => m.host_info));
        }
      });

      await cli(["export", out, "--data-dir", data]);
      const exported = JSON.parse(
        await Deno.readTextFile(`${out}/conversations/${ORIGINAL_LOCAL.id}.json`),
      );
      assert.deepEqual(exported, ORIGINAL_LOCAL, "written back exactly as it was read");
      const folders = [...Deno.readDirSync(`${out}/received`)].map((e) => e.name);
      assert.deepEqual(folders, ["bob-desktop"]);
      assert.deepEqual(
        JSON.parse(
          await Deno.readTextFile(`${out}/received/bob-desktop/${ORIGINAL_RECEIVED.id}.json`),
        ),
        ORIGINAL_RECEIVED,
      );
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
});

function assertMessageHosts(
  conversation: ApiConversation,
  hosts: { hostname: string; ip_address: string; is_llm_host: boolean }[],
) {
  assert.deepEqual(
    conversation.messages.map((m) => {
      const host = m.hostInfo as { nodeName: string; ipAddress?: string; isLlmHost: boolean };
      return [host.nodeName, host.ipAddress ?? "", host.isLlmHost];
    }),
    hosts.map((h) => [h.hostname, h.ip_address, h.is_llm_host]),
  );
}
