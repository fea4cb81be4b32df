/**
 * The Ollama-style command line (issue 12, item 5) as a user runs it: `neuromesh ls`, `ps`,
 * `status`, `run MODEL PROMPT` and `run MODEL` reading lines from a pipe, each a real process in
 * the namespace of node1 (a node without an LLM), talking to that node at its default address
 * (127.0.0.1:8080) with no flags; the models live on hosts in other namespaces. From another
 * device's namespace the same commands reach node1's LAN address with `--host` and its token.
 * Then the node stops and the commands say so in one line.
 */
import assert from "node:assert/strict";
import { expectedAnswer } from "../ollama_double/answer.ts";
import { CHAT, clientLabOptions, EMBED, OPENAI_TOOLS, TOOLS, withClientLab } from "./client_lab.ts";
import { DENO, type LabHost, MAIN_TS } from "./lab.ts";

/** node1 serves its API on the LAN too, where other devices need this token. */
const TOKEN = "e2e-cli-token-0123456789abcdef";

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `deno run main.ts ARGS` inside `host`'s namespace, feeding `stdin` when given. */
async function neuromesh(
  host: LabHost,
  args: string[],
  stdin = "",
  env: Record<string, string> = {},
): Promise<CliRun> {
  const child = new Deno.Command("ip", {
    args: ["netns", "exec", host.ns, DENO, "run", "--allow-all", "--quiet", MAIN_TS, ...args],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1", ...env },
    signal: AbortSignal.timeout(90_000),
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(stdin));
  await writer.close();
  const out = await child.output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
}

/** The table row whose first column is `first` (columns split on runs of 2+ spaces). */
function row(lines: string[], first: string): string[] {
  const found = lines.map((l) => l.trim().split(/\s{2,}/)).find((cells) => cells[0] === first);
  assert.ok(found, `no row for ${first} in:\n${lines.join("\n")}`);
  return found;
}

Deno.test(
  "neuromesh ls, ps, status and run against a node without an LLM in a namespace",
  clientLabOptions,
  () =>
    withClientLab(async (mesh) => {
      const { client } = mesh;

      const ls = await neuromesh(client, ["ls"]);
      assert.equal(ls.code, 0, ls.stderr);
      const table = ls.stdout.trimEnd().split("\n");
      assert.match(table[0], /^NAME\s+PARAMS\s+SIZE\s+HOSTS$/);
      assert.equal(table.length, 5, ls.stdout); // header and the four models of the mesh
      const hostsOf = (model: string) => row(table, model).at(-1)!;
      assert.match(hostsOf(EMBED), /^node[23] .*, node[23] /);
      assert.ok(hostsOf(EMBED).includes("node2") && hostsOf(EMBED).includes("node3"));
      assert.match(hostsOf(CHAT), /^node2 \d+\/\d+ busy$/);
      assert.match(hostsOf(TOOLS), /^node2 /);
      assert.match(hostsOf(OPENAI_TOOLS), /^node3 /);
      assert.equal(row(table, TOOLS)[1], "8B");
      assert.ok(!ls.stdout.includes("this node"), "node1 hosts nothing");

      const status = await neuromesh(client, ["status"]);
      assert.equal(status.code, 0, status.stderr);
      const lines = status.stdout.trimEnd().split("\n");
      assert.match(lines[0], /^Node\s+node1 \(/);
      assert.match(status.stdout, /^LLM\s+none on this node \(it uses the mesh's\)$/m);
      assert.match(status.stdout, /^Peers\s+2 known, 2 linked$/m);
      for (
        const [name, address, model] of [
          ["node2", "10.99.0.2", TOOLS],
          ["node3", "10.99.0.3", OPENAI_TOOLS],
        ]
      ) {
        const peer = row(lines, name);
        assert.equal(peer[2], "up", peer.join(" | "));
        assert.ok(peer.some((cell) => cell.startsWith(address)), peer.join(" | "));
        assert.ok(peer.some((cell) => cell.includes(model)), peer.join(" | "));
      }

      // One answer, streamed to stdout as it comes.
      const prompt = "Why is the sky blue?";
      const once = await neuromesh(client, ["run", TOOLS, prompt]);
      assert.equal(once.code, 0, once.stderr);
      assert.equal(once.stdout, expectedAnswer(TOOLS, [{ role: "user", content: prompt }]) + "\n");
      assert.equal(once.stderr, "");

      // A chat from a pipe: each line a question, the conversation kept, until end of input.
      const questions = ["What is a mesh?", "And who answers here?"];
      const chat = await neuromesh(client, ["run", OPENAI_TOOLS], questions.join("\n") + "\n");
      assert.equal(chat.code, 0, chat.stderr);
      const first = expectedAnswer(OPENAI_TOOLS, [{ role: "user", content: questions[0] }]);
      const second = expectedAnswer(OPENAI_TOOLS, [
        { role: "user", content: questions[0] },
        { role: "assistant", content: first },
        { role: "user", content: questions[1] },
      ]);
      assert.equal(chat.stdout, `${first}\n${second}\n`);

      // The Ollama host has the model loaded now: ps names it with its host.
      const ps = await neuromesh(client, ["ps"]);
      assert.equal(ps.code, 0, ps.stderr);
      const running = ps.stdout.trimEnd().split("\n");
      assert.match(running[0], /^NAME\s+HOST\s+LOAD\s+SIZE\s+UNTIL$/);
      const loaded = row(running, TOOLS);
      assert.equal(loaded[1], "node2", loaded.join(" | "));
      assert.match(loaded.at(-1)!, /^\d+ minutes? from now$/, loaded.join(" | "));

      // A model the mesh lacks: one line naming what it offers.
      const missing = await neuromesh(client, ["run", "nosuch:1b", "hi"]);
      assert.equal(missing.code, 1);
      assert.equal(missing.stdout, "");
      assert.equal(missing.stderr.trimEnd().split("\n").length, 1, missing.stderr);
      assert.match(missing.stderr, /^neuromesh: .*nosuch:1b.*qwen3:8b/);

      // From another device (node2's namespace): node1's LAN address with its token.
      const device = mesh.ollamaHost;
      const lan = ["--host", `${client.address}:8080`];
      const refused = await neuromesh(device, ["status", ...lan]);
      assert.equal(refused.code, 1);
      assert.equal(refused.stdout, "");
      assert.equal(refused.stderr.trimEnd().split("\n").length, 1, refused.stderr);
      assert.match(refused.stderr, /^neuromesh: .*token/i);
      const remoteLs = await neuromesh(device, ["ls", ...lan, "--http-token", TOKEN]);
      assert.equal(remoteLs.code, 0, remoteLs.stderr);
      assert.equal(remoteLs.stdout, ls.stdout);
      const remoteRun = await neuromesh(device, ["run", TOOLS, prompt, ...lan], "", {
        NEUROMESH_HTTP_TOKEN: TOKEN,
      });
      assert.equal(remoteRun.code, 0, remoteRun.stderr);
      assert.equal(remoteRun.stdout, once.stdout);

      // No node running: one line and exit 1, for every command.
      await client.node.stop();
      for (const args of [["ls"], ["ps"], ["status"], ["run", TOOLS, "hi"]]) {
        const down = await neuromesh(client, args);
        assert.equal(down.code, 1, `${args.join(" ")}: ${down.stdout}`);
        assert.equal(
          down.stderr,
          "neuromesh: no NeuroMesh node answers at http://127.0.0.1:8080: start one with `neuromesh`\n",
        );
        assert.equal(down.stdout, "");
      }
    }, { clientArgs: ["--http-host", "0.0.0.0", "--http-token", TOKEN] }),
);
