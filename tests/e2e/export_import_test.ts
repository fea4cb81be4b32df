/**
 * `neuromesh export` then `neuromesh import` into an empty node gives identical conversations;
 * importing twice adds nothing. Real processes on loopback (no discovery, random ports).
 */
import assert from "node:assert/strict";
import { DENO, MAIN_TS, waitFor } from "./lab.ts";

async function run(args: string[]): Promise<string> {
  const out = await new Deno.Command(DENO, {
    args: ["run", "--allow-all", "--quiet", MAIN_TS, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  assert.ok(
    out.success,
    `neuromesh ${args.join(" ")} failed: ${new TextDecoder().decode(out.stderr)}`,
  );
  return text;
}

async function withNode<T>(dataDir: string, body: (url: string) => Promise<T>): Promise<T> {
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const child = new Deno.Command(DENO, {
    args: [
      "run",
      "--allow-all",
      "--quiet",
      MAIN_TS,
      "--data-dir",
      dataDir,
      "--http-port",
      String(port),
      "--peer-port",
      String(port + 1),
      "--no-discovery",
      "--ollama-url",
      "http://127.0.0.1:9",
      "--no-open",
    ],
    stdout: "null",
    stderr: "null",
  }).spawn();
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(
      "node ready",
      async () =>
        (await fetch(`${url}/api/status`).then((r) => r.body?.cancel().then(() => r.ok))) ?? false,
      15_000,
      50,
    );
    return await body(url);
  } finally {
    try {
      child.kill("SIGTERM");
    } catch { /* exited already */ }
    await child.status;
  }
}

interface Conversation {
  id: string;
  title: string;
  messages: { id: string; content: string; messageType: string }[];
}

async function snapshot(url: string): Promise<Conversation[]> {
  const list = await (await fetch(`${url}/api/conversations`)).json();
  // An import into another node keeps each conversation's origin, so it may list as received.
  const all = [
    ...list.local,
    ...list.received.flatMap((group: { conversations: unknown[] }) => group.conversations),
  ];
  const ids: string[] = all.map((c: { id: string }) => c.id).sort();
  return await Promise.all(ids.map(async (id) => {
    const conversation = await (await fetch(`${url}/api/conversations/${id}`)).json();
    return {
      id: conversation.id,
      title: conversation.title,
      messages: conversation.messages.map((m: Conversation["messages"][number]) => ({
        content: m.content,
        messageType: m.messageType,
      })),
    };
  }));
}

Deno.test({
  name:
    "export, then import into an empty node: identical conversations, and a second import adds nothing",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const root = await Deno.makeTempDir({ prefix: "neuromesh-export-" });
    try {
      const before = await withNode(`${root}/one`, async (url) => {
        for (const title of ["first", "second"]) {
          const res = await fetch(`${url}/api/conversations`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ title }),
          });
          const { id } = await res.json();
          for (const content of [`${title}: hello`, `${title}: again`]) {
            const ask = await fetch(`${url}/api/conversations/${id}/messages`, {
              method: "POST",
              headers: { "content-type": "application/json" },
              body: JSON.stringify({ content }),
            });
            await ask.text();
          }
        }
        return await snapshot(url);
      });
      assert.equal(before.length, 2);
      console.log(await run(["export", `${root}/out`, "--data-dir", `${root}/one`]));
      const local = JSON.parse(await Deno.readTextFile(`${root}/out/conversations/local.json`));
      assert.ok(
        Array.isArray(local.messages) && local.host_info,
        "local.json has the original's shape",
      );
      assert.match(local.messages[0].timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$/);

      console.log(await run(["import", `${root}/out`, "--data-dir", `${root}/two`]));
      const again = await run(["import", `${root}/out`, "--data-dir", `${root}/two`]);
      assert.match(
        again,
        /imported 0 conversations \(0 new messages\)/,
        "a second import adds nothing",
      );
      const after = await withNode(`${root}/two`, snapshot);
      assert.deepEqual(after.map((c) => c.id), before.map((c) => c.id), "same conversation ids");
      assert.deepEqual(after.map((c) => c.title).sort(), before.map((c) => c.title).sort());
      for (const conversation of before) {
        const imported = after.find((c) => c.title === conversation.title);
        assert.deepEqual(
          imported?.messages,
          conversation.messages,
          `messages of "${conversation.title}"`,
        );
      }
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
});
