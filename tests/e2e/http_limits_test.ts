/**
 * Untrusted HTTP load against a real node in a network namespace (issue 10, part 3): huge
 * bodies are refused with 413 while they arrive, so the node's memory stays bounded, and
 * connections that never finish their request head are closed after the header timeout.
 * The hostile clients (tests/e2e/http_load_tools.ts) run inside the node's namespace and talk
 * to its port on that namespace's loopback; the test reads the node's RSS from /proc.
 */
import assert from "node:assert/strict";
import { netnsUnavailableReason, requires } from "../support/ci.ts";
import { DENO, type LabHost, withLab } from "./lab.ts";
import { rssMiB, withPeakRss } from "./process_memory.ts";

const options = {
  ...requires(netnsUnavailableReason()),
  sanitizeResources: false,
  sanitizeOps: false,
};
const TOOLS = new URL("./http_load_tools.ts", import.meta.url).pathname;
const TARGET = "127.0.0.1:8080";
const MiB = 1024 * 1024;

async function tool<T>(host: LabHost, args: string[]): Promise<T> {
  const out = await host.exec([DENO, "run", "--allow-net", "--quiet", TOOLS, ...args]);
  const line = out.trim().split("\n").at(-1) ?? "";
  try {
    return JSON.parse(line) as T;
  } catch {
    throw new Error(`http load tool printed no JSON: ${out}`);
  }
}

interface BodiesResult {
  results: { status: string; ms: number; sentMiB: number }[];
}

Deno.test({
  name:
    "four concurrent 200 MB bodies to /api/chat and to a conversation get 413; RSS grows < 300 MB",
  ...options,
  async fn() {
    await withLab(1, async (lab) => {
      const node = lab.host(1).node;
      await node.start();
      const created = await fetch(`${node.url}/api/conversations`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{}",
      });
      const id = encodeURIComponent((await created.json()).id);
      await new Promise((resolve) => setTimeout(resolve, 1_000)); // settle after start
      const baseline = rssMiB(node);
      let peak = baseline;
      const report: string[] = [];
      for (const mode of ["length", "chunked"]) {
        for (const path of ["/api/chat", `/api/conversations/${id}/messages`]) {
          const run = await withPeakRss(node, () =>
            tool<BodiesResult>(lab.host(1), [
              "bodies",
              "--target",
              TARGET,
              "--path",
              path,
              "--count",
              "4",
              "--bytes",
              String(200 * MiB),
              "--mode",
              mode,
            ]));
          peak = Math.max(peak, run.peak);
          const statuses = run.value.results.map((r) => r.status);
          report.push(
            `${mode} ${path.replace(id, "<id>")}: ${statuses.join(",")} after ` +
              `${run.value.results.map((r) => `${r.ms} ms/${r.sentMiB} MiB sent`).join(", ")}; ` +
              `peak RSS ${run.peak.toFixed(0)} MiB`,
          );
          assert.deepEqual(statuses, ["413", "413", "413", "413"], report.at(-1));
        }
      }
      console.log(`baseline RSS ${baseline.toFixed(0)} MiB\n${report.join("\n")}`);
      console.log(`RSS growth at peak: ${(peak - baseline).toFixed(0)} MiB`);
      assert.ok(peak - baseline < 300, `RSS grew by ${(peak - baseline).toFixed(0)} MiB`);
      // The node still answers, and a normal chat-sized request still passes the limit.
      const res = await fetch(`${node.url}/api/conversations/${id}`);
      assert.equal(res.status, 200);
      await res.body?.cancel();
    });
  },
});

interface SlowResult {
  opened: number;
  openedMs: number;
  closed: number;
  firstClosedMs: number | null;
  lastClosedMs: number | null;
}

Deno.test({
  name: "2,000 half-sent request heads are closed after the header timeout",
  ...options,
  async fn() {
    await withLab(1, async (lab) => {
      const node = lab.host(1).node;
      const timeoutMs = 3_000;
      await node.start({ args: ["--header-timeout-ms", String(timeoutMs)] });
      const before = rssMiB(node);
      const run = await withPeakRss(node, () =>
        tool<SlowResult>(lab.host(1), [
          "slow-headers",
          "--target",
          TARGET,
          "--count",
          "2000",
          "--wait-ms",
          String(timeoutMs * 5),
        ]));
      const result = run.value;
      console.log(
        `2,000 half-sent heads (timeout ${timeoutMs} ms): opened in ${result.openedMs} ms, ` +
          `${result.closed} closed by the node, first at ${result.firstClosedMs} ms, last at ` +
          `${result.lastClosedMs} ms; RSS ${before.toFixed(0)} → peak ${run.peak.toFixed(0)} MiB`,
      );
      assert.equal(result.closed, 2000, "connections still held after 5× the timeout");
      assert.ok(result.firstClosedMs! >= timeoutMs * 0.9, "closed before the timeout");
      assert.ok(
        result.lastClosedMs! <= result.openedMs + timeoutMs + 2_000,
        `the last one closed ${result.lastClosedMs} ms after the start`,
      );
      const res = await fetch(`${node.url}/api/status`);
      assert.equal(res.status, 200);
      await res.body?.cancel();
    });
  },
});
