/**
 * Untrusted load on the peer port (issue 10, section 3): connections that never speak, held
 * connections, and big frames, sent from another namespace to a real node. Each test prints
 * the node's memory figures; the tools are in tests/e2e/peer_load_tools.ts.
 */
import assert from "node:assert/strict";
import { netnsUnavailableReason, requires } from "../support/ci.ts";
import { ip, type LabHost, type LabNode, waitFor, withLab } from "./lab.ts";

const options = {
  ...requires(netnsUnavailableReason()),
  sanitizeResources: false,
  sanitizeOps: false,
};
const TOOLS = new URL("./peer_load_tools.ts", import.meta.url).pathname;
const FRAME_MB = 50;

interface LoadRun {
  result: Record<string, unknown>;
  /** The node's RSS in MB: before (settled), highest while the tool ran, after (settled). */
  before: number;
  peak: number;
  after: number;
}

const rssMb = (node: LabNode) => Math.round(node.rssKb() / 1024);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs a tool of peer_load_tools.ts from `from` against `node`'s peer port, sampling the node's
 * RSS every 50 ms; before and after are read once it has had time to settle.
 */
async function underLoad(from: LabHost, node: LabNode, args: string[]): Promise<LoadRun> {
  await sleep(1_000);
  const before = rssMb(node);
  let peak = before;
  const timer = setInterval(() => peak = Math.max(peak, rssMb(node)), 50);
  let result: Record<string, unknown>;
  try {
    result = await from.runTool(TOOLS, [...args, "--target", `${node.host.address}:7878`]);
  } finally {
    clearInterval(timer);
  }
  await sleep(3_000); // timers of what is still open fire, V8 collects what it will
  const run = { result, before, peak: Math.max(peak, rssMb(node)), after: rssMb(node) };
  console.log(
    `${args.join(" ")}: ${JSON.stringify(result)}; ` +
      `node RSS ${run.before} → peak ${run.peak} → ${run.after} MB`,
  );
  return run;
}

async function upIds(node: LabNode): Promise<string[]> {
  return (await node.status()).peers.filter((p) => p.state === "up").map((p) => p.id);
}

Deno.test({
  name: "20,000 connect-and-close cycles to the peer port leave the node's memory where it was",
  ...options,
  async fn() {
    await withLab(2, async (lab) => {
      const [one, two] = lab.hosts;
      await one.node.start();
      const { result, before, after } = await underLoad(two, one.node, [
        "churn",
        "--count",
        "20000",
        "--concurrency",
        "16",
        "--seconds",
        "60",
      ]);
      assert.equal(result.ok, 20_000);
      assert.ok(after - before < 100, `RSS grew by ${after - before} MB`);
      // The address that churned is not locked out: a real node there links.
      await two.node.start();
      const id2 = (await two.node.status()).node.id;
      await waitFor(
        "node2 links to node1",
        async () => (await upIds(one.node)).includes(id2),
        5_000,
      );
    });
  },
});

Deno.test({
  name:
    "connections held open without a byte are closed by the handshake timeout, memory comes back",
  ...options,
  async fn() {
    await withLab(2, async (lab) => {
      const [one, two] = lab.hosts;
      // Ten source addresses, taken in turn from a list that names the first nine times: its
      // ninth connection meets the limit of 8 per address, then the next eight fill the 16
      // handshakes that may be pending, so the tenth address meets that limit too.
      const sources: string[] = [];
      for (let k = 100; k < 110; k++) {
        await ip("-n", two.ns, "addr", "add", `10.99.0.${k}/24`, "dev", "eth0");
        sources.push(...Array(k === 100 ? 9 : 1).fill(`10.99.0.${k}`));
      }
      await one.node.start();
      const { result, before, after } = await underLoad(two, one.node, [
        "hold",
        "--count",
        "300",
        "--sources",
        sources.join(","),
        "--seconds",
        "12",
      ]);
      // The tool reopens at once, so a few SYNs may overflow the listen backlog.
      assert.ok(Number(result.failed) <= Number(result.opened) / 100, "connections failed");
      assert.ok(Number(result.closedByNode) >= 300, "the node left held connections open");
      // Closed by the 5 s handshake timeout (or refused at once), never held much longer. Timed
      // from the TCP handshake: before it, the client kernel may retransmit SYNs for seconds
      // (measured up to 6.8 s) when the flood reuses a tuple the node still has in TIME_WAIT.
      assert.ok(Number(result.longestMs) < 8_000, `a connection stayed ${result.longestMs} ms`);
      assert.ok(after - before < 100, `RSS grew by ${after - before} MB`);
      const log = await Deno.readTextFile(one.node.logPath);
      assert.match(log, /handshake timed out after 5000 ms/);
      assert.match(log, /reason="more than 8 links from it"/);
      assert.match(log, /reason="more than 16 handshakes pending"/);
    });
  },
});

Deno.test({
  name: "ten 50 MB frames from a linked peer keep memory bounded; before the handshake, refused",
  ...options,
  async fn() {
    await withLab(2, async (lab) => {
      const [one, two] = lab.hosts;
      await one.node.start();
      const linked = await underLoad(two, one.node, ["big-frames", "--count", "10"]);
      const growth = linked.peak - linked.before;
      console.log(`peak growth ${(growth / FRAME_MB).toFixed(1)}× the frame size`);
      assert.equal(linked.result.sent, 10);
      assert.equal(linked.result.state, "up", `the link closed: ${linked.result.reason}`);
      // The decoder holds one copy of a frame. The rest is garbage V8 collects late: each frame's
      // decoded JSON text and value are two strings of its size, allocated straight into the
      // old generation. Bounded by V8's heap limits, about the same for 3 frames as for 20.
      assert.ok(growth < 16 * FRAME_MB, `RSS peaked ${growth} MB above the start`);

      const unlinked = await underLoad(two, one.node, ["big-frame-unlinked"]);
      const { written, frameBytes } = unlinked.result;
      // The node closed the connection before the frame was through: it refused the frame from
      // its header (the log below) and did not wait for it. How much the tool got out first
      // depends on how soon the node runs: usually under 1.5 MB; twice in about twenty runs,
      // right after the ten 50 MB frames (a collection of their garbage), about 38 MB — with
      // the node's memory unmoved, as asserted below.
      assert.ok(Number(written) < Number(frameBytes), `all ${written} bytes went through`);
      assert.ok(unlinked.result.error !== null, "the node never closed the connection");
      const log = await Deno.readTextFile(one.node.logPath);
      assert.match(log, /frame NOOP: length \d+ exceeds limit 262144/);
      assert.ok(unlinked.peak - unlinked.before < 50, "a refused frame raised RSS");
    });
  },
});
