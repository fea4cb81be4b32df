/**
 * Trust and privacy end to end (issue 6): real NeuroMesh processes in network namespaces,
 * hostile peers from tests/e2e/security_tools.ts, and a packet capture on the lab's bridge.
 */
import assert from "node:assert/strict";
import {
  assertCapability,
  netnsUnavailableReason,
  requires,
  tcpdumpUnavailableReason,
} from "../support/ci.ts";
import { findTool } from "../support/system_needs.ts";
import {
  DENO,
  ip,
  type Lab,
  type LabHost,
  type LabNode,
  type NodeStatus,
  waitFor,
  withLab,
} from "./lab.ts";

const gate = requires(netnsUnavailableReason());
const TOOLS = new URL("./security_tools.ts", import.meta.url).pathname;
const MODEL = "secure:1b";

const options = { ...gate, sanitizeResources: false, sanitizeOps: false };

async function status(node: LabNode): Promise<NodeStatus> {
  return await node.status();
}

async function upIds(node: LabNode): Promise<string[]> {
  return (await status(node)).peers.filter((p) => p.state === "up").map((p) => p.id);
}

interface TrustView {
  mode: string;
  nodes: { nodeId: string; status: string; address: string }[];
  alerts: { nodeId: string; address: string; reason: string }[];
}

async function trust(node: LabNode): Promise<TrustView> {
  const res = await fetch(`${node.url}/api/trust`);
  if (!res.ok) throw new Error(`${node.host.name} /api/trust: HTTP ${res.status}`);
  return await res.json();
}

async function post(node: LabNode, path: string, body?: unknown): Promise<Response> {
  return await fetch(`${node.url}${path}`, {
    method: "POST",
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** Runs a hostile tool inside `host` and returns its JSON line. */
async function tool(host: LabHost, args: string[]): Promise<Record<string, unknown>> {
  const out = await host.exec([DENO, "run", "--allow-all", "--quiet", TOOLS, ...args]);
  const line = out.trim().split("\n").at(-1) ?? "";
  try {
    return JSON.parse(line);
  } catch {
    throw new Error(`security tool printed no JSON: ${out}`);
  }
}

async function linked(a: LabNode, b: LabNode): Promise<boolean> {
  const [idA, idB] = [(await status(a)).node.id, (await status(b)).node.id];
  return (await upIds(a)).includes(idB) && (await upIds(b)).includes(idA);
}

function rssKb(node: LabNode): number {
  const pid = node.process?.pid;
  if (!pid) throw new Error(`${node.host.name} is not running`);
  const text = Deno.readTextFileSync(`/proc/${pid}/status`);
  return Number(text.match(/VmRSS:\s+(\d+)/)?.[1] ?? NaN);
}

function alive(node: LabNode): boolean {
  const pid = node.process?.pid;
  try {
    return pid !== undefined && Deno.statSync(`/proc/${pid}`).isDirectory;
  } catch {
    return false;
  }
}

/** Starts plain nodes on two hosts and waits until they are linked. */
async function startLinked(a: LabHost, b: LabHost): Promise<void> {
  await Promise.all([a.node.start(), b.node.start()]);
  await waitFor(`${a.name} and ${b.name} linked`, () => linked(a.node, b.node), 5_000);
}

Deno.test({
  name: "a node claiming another node's id without its key is refused and reported",
  ...options,
  async fn() {
    await withLab(3, async (lab) => {
      const [one, two, three] = lab.hosts;
      await startLinked(one, two);
      const victimId = (await status(two.node)).node.id;
      const result = await tool(three, [
        "impostor",
        "--target",
        `${one.address}:7878`,
        "--claim-id",
        victimId,
        "--steal-key-from",
        `${two.address}:7878`,
      ]);
      console.log("impostor outcomes:", JSON.stringify(result));
      assert.match(String(result["stolen-public-key"]), /identity proof failed/);
      assert.match(String(result["own-public-key"]), /does not match its public key/);
      const alerts = (await trust(one.node)).alerts;
      assert.ok(
        alerts.some((a) => a.nodeId === victimId && a.address === three.address),
        `no alert for the impostor: ${JSON.stringify(alerts)}`,
      );
      // The real node2 keeps its link, at its own address.
      const row = (await status(one.node)).peers.find((p) => p.id === victimId);
      assert.equal(row?.state, "up");
      assert.equal(row?.address, two.address);
      assert.equal((await status(one.node)).peers.length, 1);
    });
  },
});

Deno.test({
  name: "mesh-key mode: a node without the key is refused, one with it joins",
  ...options,
  async fn() {
    await withLab(3, async (lab) => {
      const [one, two, three] = lab.hosts;
      const keyed = {
        args: ["--trust-mode", "mesh-key"],
        env: { NEUROMESH_MESH_KEY: "blue kitchen table 42" },
      };
      await Promise.all([one.node.start(keyed), two.node.start(keyed), three.node.start()]);
      const joinMs = await waitFor("keyed nodes linked", () => linked(one.node, two.node), 2_000);
      console.log(`mesh-key nodes linked within ${joinMs.toFixed(0)} ms`);
      await new Promise((r) => setTimeout(r, 2_500)); // node3 has had time to try, and retry
      assert.deepEqual(await upIds(three.node), [], "the node without the key got in");
      const id3 = (await status(three.node)).node.id;
      assert.ok(!(await upIds(one.node)).includes(id3));
      assert.ok(!(await upIds(two.node)).includes(id3));

      await three.node.stop();
      await three.node.start(keyed);
      const id1 = (await status(one.node)).node.id;
      const id2 = (await status(two.node)).node.id;
      const ms = await waitFor("node3 joins with the key", async () => {
        const up = await upIds(three.node);
        return up.includes(id1) && up.includes(id2);
      }, 5_000);
      console.log(`node with the mesh key joined within ${ms.toFixed(0)} ms of answering`);
    });
  },
});

Deno.test({
  name: "approve mode: nothing flows until the user approves the new node",
  ...options,
  async fn() {
    await withLab(2, async (lab) => {
      const [one, two] = lab.hosts;
      await two.startOllama(["--models", MODEL, "--token-latency-ms", "1"]);
      await Promise.all([one.node.start({ args: ["--trust-mode", "approve"] }), two.node.start()]);
      const id2 = (await status(two.node)).node.id;
      await waitFor(
        "node2 pending on node1",
        async () =>
          (await trust(one.node)).nodes.some((n) => n.nodeId === id2 && n.status === "pending"),
        5_000,
      );
      await new Promise((r) => setTimeout(r, 1_500));
      assert.deepEqual(await upIds(one.node), []);
      assert.deepEqual(await upIds(two.node), []);
      const modelsBefore = await (await fetch(`${one.node.url}/api/mesh/models`)).json();
      assert.equal(
        JSON.stringify(modelsBefore).includes(MODEL),
        false,
        "node2's LLM reached node1 unapproved",
      );

      const approve = await post(one.node, `/api/peers/${id2}/approve`);
      assert.equal(approve.status, 200);
      const ms = await waitFor("linked after approval", () => linked(one.node, two.node), 5_000);
      console.log(`linked ${ms.toFixed(0)} ms after approval`);
      await waitFor(
        "node2's model reaches node1",
        async () =>
          JSON.stringify(await (await fetch(`${one.node.url}/api/mesh/models`)).json()).includes(
            MODEL,
          ),
        5_000,
      );
    });
  },
});

/**
 * Captures the LAN's traffic while `body` runs; returns the capture's bytes. It listens on
 * every interface of the bridge namespace: br0 itself only sees frames the bridge floods, the
 * ports (one per host) see all unicast between hosts too.
 */
async function capture(lab: Lab, body: () => Promise<void>): Promise<Uint8Array> {
  const file = `${lab.dir}/capture-${Math.random().toString(36).slice(2)}.pcap`;
  const tcpdump = new Deno.Command("ip", {
    args: [
      "netns",
      "exec",
      lab.bridgeNs,
      findTool("tcpdump") ?? "tcpdump",
      "-Z", // write the file as root: the lab's directory is root's only
      "root",
      "--immediate-mode", // hand each packet over at once, not in 1 s blocks
      "-i",
      "any",
      "-U",
      "-s",
      "0",
      "-w",
      file,
    ],
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const reader = tcpdump.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  const deadline = Date.now() + 10_000;
  while (!/listening on any/.test(seen)) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const { value, done } = await Promise.race([
      reader.read(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`tcpdump did not start: ${seen}`)),
          deadline - Date.now(),
        );
      }),
    ]).finally(() => clearTimeout(timer));
    if (done) throw new Error(`tcpdump exited: ${seen}`);
    seen += value;
  }
  try {
    await body();
    await new Promise((r) => setTimeout(r, 500)); // let the last packets land
  } finally {
    tcpdump.kill("SIGTERM");
    await tcpdump.status;
    reader.cancel().catch(() => {});
  }
  return await Deno.readFile(file);
}

function contains(haystack: Uint8Array, needle: string): boolean {
  const bytes = new TextEncoder().encode(needle);
  outer: for (let i = 0; i + bytes.length <= haystack.length; i++) {
    for (let j = 0; j < bytes.length; j++) if (haystack[i + j] !== bytes[j]) continue outer;
    return true;
  }
  return false;
}

const captureUnavailable = netnsUnavailableReason() ?? tcpdumpUnavailableReason();

Deno.test({
  name: "a packet capture on the bridge shows no plaintext of a chat message",
  ...options,
  ...requires(captureUnavailable),
  async fn() {
    assertCapability(captureUnavailable);
    await withLab(2, async (lab) => {
      const [one, two] = lab.hosts;
      await two.startOllama(["--models", MODEL, "--token-latency-ms", "1"]);
      const chatThroughMesh = async (secret: string) => {
        await waitFor(
          "model reachable from node1",
          async () =>
            JSON.stringify(await (await fetch(`${one.node.url}/api/mesh/models`)).json()).includes(
              MODEL,
            ),
          10_000,
        );
        const res = await post(one.node, "/api/chat", {
          model: MODEL,
          messages: [{ role: "user", content: `please keep this ${secret} between us` }],
          stream: false,
        });
        const text = await res.text();
        assert.equal(res.status, 200, text);
      };
      const run = async (args: string[], secret: string) => {
        await Promise.all([one.node.start({ args }), two.node.start({ args })]);
        const bytes = await capture(lab, () => chatThroughMesh(secret));
        await Promise.all([one.node.stop(), two.node.stop()]);
        return bytes;
      };
      // Control: with plaintext links the capture does show the message, so the check works.
      const plainSecret = `PLAINTEXT-${crypto.randomUUID()}`;
      const plain = await run(["--insecure-plaintext-links"], plainSecret);
      assert.ok(contains(plain, plainSecret), "the capture did not see the plaintext control");
      const secret = `SECRET-${crypto.randomUUID()}`;
      const encrypted = await run([], secret);
      console.log(
        `capture: ${plain.length} bytes plaintext run, ${encrypted.length} bytes TLS run`,
      );
      assert.ok(encrypted.length > 2_000, "the TLS run captured almost nothing");
      assert.equal(
        contains(encrypted, secret),
        false,
        "the chat message crossed the LAN in plaintext",
      );
    });
  },
});

Deno.test({
  name: "a peer from a public source address is refused",
  ...options,
  async fn() {
    await withLab(2, async (lab) => {
      const [one, two] = lab.hosts;
      // node2 leaves the private range: 198.51.100.7 (TEST-NET-2) on the same wire.
      await ip("-n", two.ns, "addr", "del", `${two.address}/24`, "dev", "eth0");
      await ip("-n", two.ns, "addr", "add", "198.51.100.7/24", "dev", "eth0");
      await ip("-n", two.ns, "route", "replace", "10.99.0.0/16", "dev", "eth0");
      await one.node.start();
      await two.node.start({ args: ["--no-discovery", "--peer", `${one.address}:7878`] });
      await new Promise((r) => setTimeout(r, 2_500));
      assert.deepEqual((await status(one.node)).peers, []);
      assert.deepEqual(await upIds(two.node), []);
      const log = await Deno.readTextFile(one.node.logPath);
      assert.match(
        log,
        /peer connection refused addr=198\.51\.100\.7 reason="address not allowed"/,
      );
    });
  },
});

Deno.test({
  name: "10,000 spoofed ONLINE packets leave the peer table and memory bounded and evict nobody",
  ...options,
  async fn() {
    await withLab(3, async (lab) => {
      const [one, two, three] = lab.hosts;
      await startLinked(one, two);
      const id2 = (await status(two.node)).node.id;
      // The flooder sends from 40 addresses, so per-source limits alone cannot stop it.
      const sources: string[] = [];
      for (let k = 100; k < 140; k++) {
        await ip("-n", three.ns, "addr", "add", `10.99.0.${k}/24`, "dev", "eth0");
        sources.push(`10.99.0.${k}`);
      }
      const rssBefore = rssKb(one.node);
      const result = await tool(three, [
        "flood",
        "--target",
        one.address,
        "--count",
        "10000",
        "--sources",
        sources.join(","),
      ]);
      await new Promise((r) => setTimeout(r, 2_000));
      const after = await status(one.node);
      const rssAfter = rssKb(one.node);
      console.log(
        `flood: ${JSON.stringify(result)}; node1 table ${after.peers.length} rows; ` +
          `RSS ${Math.round(rssBefore / 1024)} → ${Math.round(rssAfter / 1024)} MB`,
      );
      assert.equal(result.sent, 10_000);
      assert.ok(after.peers.length <= 1_025, `peer table grew to ${after.peers.length}`);
      assert.ok(rssAfter - rssBefore < 150 * 1024, `RSS grew by ${rssAfter - rssBefore} kB`);
      assert.equal(after.peers.find((p) => p.id === id2)?.state, "up", "the flood evicted node2");
      assert.ok(await linked(one.node, two.node));
    });
  },
});

Deno.test({
  name: "a fuzz of the handshake never crashes a node",
  ...options,
  async fn() {
    await withLab(3, async (lab) => {
      const [one, two, three] = lab.hosts;
      await startLinked(one, two);
      const seed = Number(Deno.env.get("NEUROMESH_FUZZ_SEED") ?? Date.now() % 1_000_000);
      const result = await tool(three, [
        "fuzz",
        "--target",
        `${one.address}:7878`,
        "--runs",
        "400",
        "--seconds",
        "25",
        "--seed",
        String(seed),
      ]);
      console.log(
        `handshake fuzz (set NEUROMESH_FUZZ_SEED=${seed} to replay): ${JSON.stringify(result)}`,
      );
      assert.ok(Number(result.runs) >= 100, `only ${result.runs} fuzz runs`);
      assert.ok(alive(one.node), "node1 died under the fuzz");
      await waitFor("node1 still serving and linked", () => linked(one.node, two.node), 10_000);
      // And a new peer can still join.
      await three.node.start();
      const id3 = (await status(three.node)).node.id;
      await waitFor("node3 joins node1", async () => (await upIds(one.node)).includes(id3), 5_000);
    });
  },
});
