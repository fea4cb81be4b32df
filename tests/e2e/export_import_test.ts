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
  getConversation,
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

/** `neuromesh <args>` to completion; returns its standard output (standard error must be empty). */
async function cli(args: string[]): Promise<string> {
  const { stdout, stderr } = await cliOutput(args);
  assert.equal(stderr, "", `neuromesh ${args.join(" ")} complained`);
  return stdout;
}

/** `neuromesh <args>` to completion, which must succeed; both of its outputs. */
async function cliOutput(args: string[]): Promise<{ stdout: string; stderr: string }> {
  const out = await new Deno.Command(DENO, {
    args: ["run", "--allow-all", "--quiet", MAIN_TS, ...args],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", RUST_BACKTRACE: "0", DENO_NO_UPDATE_CHECK: "1" },
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  const stderr = new TextDecoder().decode(out.stderr);
  assert.ok(out.success, `neuromesh ${args.join(" ")} failed: ${stdout}${stderr}`);
  return { stdout, stderr };
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

/** A conversation without what belongs to the node holding it (ids, stamps, owner). */
function comparable(conversation: ApiConversation) {
  const { id: _id, readOnly: _readOnly, messages, path, versions, thread, ...rest } =
    conversation as ApiConversation & {
      path: string[];
      versions: Record<string, string[]>;
      thread: { hlc?: string; parents: Record<string, string> };
    };
  // Versions and the shown branch name message ids: compare them by position instead.
  const at = (id: string) => messages.findIndex((m) => m.id === id);
  const { hlc: _hlc, ...threadData } = thread;
  return {
    ...rest,
    path: path.map(at),
    versions: Object.entries(versions).map(([id, ids]) => [at(id), ids.map(at)]),
    thread: { ...threadData, parents: Object.keys(threadData.parents).length },
    messages: messages.map((m) => {
      const { id: _m, conversationId: _c, originNode: _o, hlc: _h, createdHlc: _ch, ...data } = m;
      return data;
    }),
  };
}

Deno.test({
  name:
    "export, then import into another node: the same conversations, kept by that node as received from the exporter; importing twice adds nothing",
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

      // Back into the node it came from: all of it is there already.
      const home = await cli(["import", out, "--data-dir", one]);
      assert.match(home, /^imported 0 conversations \(0 new messages\) from 5 files/m);
      assert.equal(home.match(/: own conversation, .* \(0 new\)$/gm)?.length, 4, home);

      // Into another node: the exporter's conversations become that node's own records (only a
      // conversation's owner writes it), shown as received from the exporter.
      const first = await cli(["import", out, "--data-dir", two]);
      assert.match(
        first,
        new RegExp(
          `^imported 4 conversations \\(${messageCount} new messages\\) from 5 files`,
          "m",
        ),
      );
      for (const conversation of before) {
        const line = `conversations/${conversation.id}.json: received from exporter, ` +
          `${JSON.stringify(conversation.title)}, ${conversation.messages.length} message`;
        assert.ok(first.includes(line), `${line}\n${first}`);
      }
      assert.match(
        first,
        /^skipped conversations\/local\.json: a copy of conversations\/.*\.json$/m,
      );
      assert.match(
        await cli(["import", out, "--data-dir", two]),
        /^imported 0 conversations \(0 new messages\) from 5 files/m,
      );

      await withNode(two, async (url) => {
        const after = await allConversations(url);
        assert.equal(after.length, before.length);
        for (const original of before) {
          const copy = after.find((c) => c.title === original.title)!;
          assert.ok(copy, `"${original.title}" imported`);
          assert.notEqual(copy.id, original.id, "a conversation of this node, so its own id");
          assert.equal(copy.readOnly, true);
          // Everything else as it was: timestamps, who asked and answered with which model,
          // stats, errors; only ids and stamps are this node's.
          assert.equal(
            canonicalJson(comparable(copy)),
            canonicalJson(comparable(original)),
            `"${original.title}"`,
          );
        }
        const list = await listConversations(url);
        assert.deepEqual(list.local, []);
        assert.deepEqual(list.received.map((g) => g.peer.name), ["exporter"]);
        // Read-only here, like any received conversation.
        const refused = await fetch(`${url}/api/conversations/${after[0].id}`, {
          method: "PATCH",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ title: "mine now" }),
        });
        assert.equal(refused.status, 409, await refused.text());

        // Importing again into the running node adds nothing either.
        const whileRunning = await snapshot(url);
        assert.match(
          await cli(["import", out, "--data-dir", two]),
          /^imported 0 conversations \(0 new messages\)/m,
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

/** One machine's files of the original NeuroMesh, every one `"id": "local"` (see the script). */
const ORIGINAL = new URL(
  "../../core/conversations/testdata/original",
  import.meta.url,
).pathname;
const OWN_FILE = "conversations/local.json";
/** Each received folder: the device its file names, and how many messages it holds. */
const RECEIVED = [
  { folder: "192.168.1.30", name: "gpu-box", ip: "192.168.1.30", messages: 24 },
  { folder: "192.168.1.40", name: "bob-desktop", ip: "192.168.1.40", messages: 16 },
  { folder: "192.168.1.41", name: "山田-ノートPC", ip: "192.168.1.41", messages: 10 },
  // bob-desktop's next address: the same file again, kept apart.
  { folder: "192.168.1.45", name: "bob-desktop", ip: "192.168.1.40", messages: 16 },
  // The file left the address empty; the folder tells it.
  { folder: "192.168.1.52", name: "zoë-macbook", ip: "192.168.1.52", messages: 6 },
];

interface LegacyFile {
  id: string;
  messages: {
    content: string;
    timestamp: string;
    sender: string;
    message_type: string;
    host_info: { hostname: string; ip_address: string; is_llm_host: boolean };
  }[];
  host_info: { hostname: string; ip_address: string; is_llm_host: boolean };
}

async function readLegacy(dir: string, file: string): Promise<LegacyFile> {
  return JSON.parse(await Deno.readTextFile(`${dir}/${file}`));
}

Deno.test({
  name:
    'the original\'s files of several devices (all "id": "local") import as the owner\'s own and one per device, and export back unchanged',
  ...loopback,
  async fn() {
    const root = await Deno.makeTempDir({ prefix: "neuromesh-legacy-" });
    try {
      const [original, data, out] = [`${root}/original`, `${root}/data`, `${root}/out`];
      await Deno.mkdir(original);
      await new Deno.Command("cp", { args: ["-R", `${ORIGINAL}/.`, original] }).output();
      // A file the original could have left half-written: named, with the reason, and skipped.
      await Deno.mkdir(`${original}/received/192.168.1.99`);
      await Deno.writeTextFile(`${original}/received/192.168.1.99/local.json`, '{"id":"local",');

      const first = await cliOutput(["import", original, "--data-dir", data]);
      assert.match(
        first.stderr,
        /^skipped received\/192\.168\.1\.99\/local\.json: not readable JSON: /,
      );
      const own = await readLegacy(original, OWN_FILE);
      assert.deepEqual(first.stdout.trim().split("\n"), [
        `${OWN_FILE}: own conversation, ${JSON.stringify(own.messages[0].content)}, ` +
        `320 messages (320 new)`,
        ...await Promise.all(RECEIVED.map(async ({ folder, name, ip, messages }) => {
          const file = await readLegacy(original, `received/${folder}/local.json`);
          return `received/${folder}/local.json: received from ${name} (${ip}), ` +
            `${JSON.stringify(file.messages[0].content)}, ${messages} messages (${messages} new)`;
        })),
        `imported 6 conversations (392 new messages) from 6 files in ${original}; 1 file skipped`,
      ]);
      const again = await cliOutput(["import", original, "--data-dir", data]);
      assert.match(again.stdout, /^imported 0 conversations \(0 new messages\) from 6 files/m);
      assert.equal(again.stdout.match(/ \(0 new\)$/gm)?.length, 6, again.stdout);

      await withNode(data, async (url) => {
        const list = await listConversations(url);
        const status = await (await fetch(`${url}/api/status`)).json();
        const self = status.node.id as string;
        // The owner's months of questions are theirs: one conversation, writable.
        assert.equal(list.local.length, 1);
        const mine = (await getConversation(url, list.local[0].id))!;
        assert.equal(mine.originNode, self);
        assert.equal(mine.readOnly, false);
        assertSameMessages(mine, own);
        // Each folder: its own conversation, received from the device its file names.
        assert.deepEqual(
          list.received.map((g) => [g.peer.name, g.peer.id, g.conversations.length]).sort(),
          RECEIVED.map((r) => [r.name, `legacy-${r.name}@${r.folder}`, 1]).sort(),
        );
        for (const { folder, name } of RECEIVED) {
          const group = list.received.find((g) => g.peer.id === `legacy-${name}@${folder}`)!;
          const theirs = (await getConversation(url, group.conversations[0].id))!;
          assert.equal(theirs.readOnly, true);
          assert.equal(theirs.originName, name);
          assert.ok(theirs.id.startsWith(`${self}-`), "kept as a conversation of this node");
          assertSameMessages(theirs, await readLegacy(original, `received/${folder}/local.json`));
          const refused = await fetch(`${url}/api/conversations/${theirs.id}/messages`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ content: "may I?" }),
          });
          assert.equal(refused.status, 409, `read-only: ${await refused.text()}`);
        }
      });

      assert.equal(
        (await cli(["export", out, "--data-dir", data])).trim(),
        `exported 1 local and 5 received conversations (392 messages) to ${out}`,
      );
      for (const file of [OWN_FILE, ...RECEIVED.map((r) => `received/${r.folder}/local.json`)]) {
        const exported = await readLegacy(out, file);
        assertLegacyShape(exported as unknown as Record<string, unknown>);
        // Same keys in the same order and the same values: what the original wrote.
        assert.equal(JSON.stringify(exported), JSON.stringify(await readLegacy(original, file)));
      }
      const folders = [...Deno.readDirSync(`${out}/received`)].map((e) => e.name).sort();
      assert.deepEqual(folders, RECEIVED.map((r) => r.folder));
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
});

/** Every message of the file, in file order, with its sender, type, host and exact timestamp. */
function assertSameMessages(conversation: ApiConversation, file: LegacyFile) {
  assert.equal(conversation.messages.length, file.messages.length);
  assert.deepEqual(
    conversation.messages.map((m) => [m.content, m.timestamp, m.sender, m.messageType]),
    file.messages.map((m) => [m.content, m.timestamp, m.sender, m.message_type]),
  );
  assert.deepEqual(
    conversation.messages.map((m) => {
      const host = m.hostInfo as { nodeName: string; ipAddress?: string; isLlmHost: boolean };
      return [host.nodeName, host.ipAddress ?? "", host.isLlmHost];
    }),
    file.messages.map((
      m,
    ) => [m.host_info.hostname, m.host_info.ip_address, m.host_info.is_llm_host]),
  );
}
