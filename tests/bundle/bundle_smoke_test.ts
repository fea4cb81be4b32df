/**
 * The shipped single file works on its own: bundle main.ts, start it with a stock `deno run` and
 * the product's runtime flags (never -A) in an EMPTY directory (no deno.json, no node_modules),
 * fetch the page, its script and /api/status on loopback, then SIGTERM it and expect a clean exit.
 * A second test starts it with discovery on inside a private network namespace (only loopback),
 * to prove the narrow permissions cover the UDP socket and the interface list.
 */
import assert from "node:assert/strict";
import { bundleProgram } from "../../build/bundle.ts";
import { RUNTIME_FLAGS } from "../../core/service/launch_command.ts";
import { assertCapability, netnsUnavailableReason, requires } from "../support/ci.ts";

const READY_TIMEOUT_MS = 30_000;
const EXIT_TIMEOUT_MS = 10_000;

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

const delay = <T>(ms: number, value: T) =>
  new Promise<T>((resolve) => setTimeout(() => resolve(value), ms));

/** The environment without NEUROMESH_* settings, so only the given flags configure the node. */
function cleanEnv(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(Deno.env.toObject()).filter(([name]) => !name.startsWith("NEUROMESH_")),
  );
}

interface BundledNode {
  exited: Promise<Deno.CommandStatus>;
  /** Everything printed so far is only known once the process ends; "" while it runs. */
  logs(): Promise<string>;
  /** SIGTERM, then the exit status (null when it did not exit in time). */
  terminate(): Promise<Deno.CommandStatus | null>;
}

/**
 * Bundles main.ts into a temp dir and runs `[prefix…] deno run <RUNTIME_FLAGS> neuromesh.js <args>`
 * from an empty temp dir with a temp data dir; everything is killed and removed after `use`.
 */
async function withBundledNode(
  args: string[],
  use: (node: BundledNode) => Promise<void>,
  prefix: string[] = [],
) {
  const buildDir = await Deno.makeTempDir({ prefix: "nm-bundle-" });
  const emptyDir = await Deno.makeTempDir({ prefix: "nm-cwd-" });
  const dataDir = await Deno.makeTempDir({ prefix: "nm-data-" });
  let child: Deno.ChildProcess | undefined;
  let output: Promise<string> | undefined;
  try {
    const bundle = await bundleProgram(`${buildDir}/neuromesh.js`);
    assert.ok(bundle.ok, `deno bundle failed:\n${bundle.stderr}`);
    const argv = [
      ...prefix,
      Deno.execPath(),
      "run",
      ...RUNTIME_FLAGS,
      `${buildDir}/neuromesh.js`,
      ...args,
      `--data-dir=${dataDir}`,
      "--no-open",
    ];
    child = new Deno.Command(argv[0], {
      args: argv.slice(1),
      cwd: emptyDir,
      clearEnv: true,
      env: cleanEnv(),
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const [stdout, stderr] = [new Response(child.stdout).text(), new Response(child.stderr).text()];
    output = Promise.all([stdout, stderr]).then(([out, err]) =>
      `--- stdout\n${out}--- stderr\n${err}`
    );
    const running = child;
    const exited = running.status;
    await use({
      exited,
      logs: () => Promise.race([output!, delay(500, "")]),
      async terminate() {
        running.kill("SIGTERM");
        return await Promise.race([exited, delay(EXIT_TIMEOUT_MS, null)]);
      },
    });
  } finally {
    if (child) {
      try {
        child.kill("SIGKILL");
      } catch { /* already gone */ }
      await child.status;
    }
    await output;
    for (const dir of [buildDir, emptyDir, dataDir]) await Deno.remove(dir, { recursive: true });
  }
}

/** Waits until `ready()` is true, failing at once if the node exits first. */
async function waitUntil(node: BundledNode, what: string, ready: () => Promise<boolean>) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const early = await Promise.race([node.exited, delay(100, null)]);
    if (early) {
      assert.fail(`neuromesh.js exited early with code ${early.code}\n${await node.logs()}`);
    }
    if (await ready()) return;
  }
  assert.fail(`${what} within ${READY_TIMEOUT_MS} ms\n${await node.logs()}`);
}

async function assertCleanExit(node: BundledNode) {
  const result = await node.terminate();
  assert.ok(result, `neuromesh.js did not exit within ${EXIT_TIMEOUT_MS} ms of SIGTERM`);
  assert.equal(
    result.signal,
    null,
    `neuromesh.js was killed by ${result.signal}\n${await node.logs()}`,
  );
  assert.equal(
    result.code,
    0,
    `neuromesh.js exited with code ${result.code} after SIGTERM\n${await node.logs()}`,
  );
}

const fetchWithin = (url: string, ms = 5_000) => fetch(url, { signal: AbortSignal.timeout(ms) });

Deno.test({
  name:
    "the bundled neuromesh.js serves the page, its script and /api/status from an empty directory",
  ignore: Deno.build.os === "windows", // SIGTERM is POSIX
  fn: async () => {
    const httpPort = freePort();
    const args = [
      `--http-port=${httpPort}`,
      "--http-host=127.0.0.1",
      `--peer-port=${freePort()}`,
      "--peer-host=127.0.0.1",
      `--discovery-port=${freePort()}`,
      "--no-discovery",
      `--ollama-url=http://127.0.0.1:${freePort()}`,
    ];
    await withBundledNode(args, async (node) => {
      const base = `http://127.0.0.1:${httpPort}`;
      let status: Response | undefined;
      await waitUntil(node, `no answer on ${base}/api/status`, async () => {
        status = await fetchWithin(`${base}/api/status`, 1_000).catch(() => undefined);
        return status !== undefined;
      });
      assert.equal(status!.status, 200, `/api/status answered ${status!.status}`);
      const body = await status!.json();
      assert.equal(
        typeof body.node?.id,
        "string",
        `unexpected /api/status body ${JSON.stringify(body)}`,
      );

      const page = await fetchWithin(`${base}/`);
      const html = await page.text();
      assert.equal(page.status, 200, `/ answered ${page.status}: ${html.slice(0, 200)}`);
      assert.match(page.headers.get("content-type") ?? "", /text\/html/);
      const src = html.match(/<script[^>]*\bsrc="([^"]+)"/)?.[1];
      assert.match(
        src ?? "",
        /^\/assets\/app\.js(\?|$)/,
        `the page should load /assets/app.js:\n${html.slice(0, 500)}`,
      );

      const script = await fetchWithin(`${base}${src}`);
      const code = await script.text();
      assert.equal(script.status, 200, `${src} answered ${script.status}`);
      assert.match(script.headers.get("content-type") ?? "", /javascript/);
      assert.ok(code.length > 1000, `${src} is only ${code.length} bytes`);

      // The installable page's files and the maths module ship inside the bundle too.
      const embedded: [string, RegExp][] = [
        ["/manifest.webmanifest", /manifest\+json/],
        ["/sw.js", /javascript/],
        ["/icons/icon-192.png", /image\/png/],
        ["/assets/math.js", /javascript/],
      ];
      for (const [path, type] of embedded) {
        const res = await fetchWithin(`${base}${path}`);
        await res.body?.cancel();
        assert.equal(res.status, 200, `${path} answered ${res.status}`);
        assert.match(res.headers.get("content-type") ?? "", type, path);
      }

      await assertCleanExit(node);
    });
  },
});

const netnsUnavailable = netnsUnavailableReason();

async function ip(...args: string[]) {
  const out = await new Deno.Command("ip", { args, stdout: "null", stderr: "piped" }).output();
  if (!out.success) {
    throw new Error(`ip ${args.join(" ")}: ${new TextDecoder().decode(out.stderr).trim()}`);
  }
}

Deno.test({
  name:
    "the bundled neuromesh.js runs discovery with its narrow permissions (private netns, loopback only)",
  ...requires(netnsUnavailable),
  fn: async () => {
    assertCapability(netnsUnavailable);
    const namespace = `nmbundle${Deno.pid}x${crypto.randomUUID().slice(0, 6)}`;
    await ip("netns", "add", namespace);
    try {
      await ip("-n", namespace, "link", "set", "lo", "up");
      // The namespace has only its own loopback: every announcement stays inside it.
      const args = ["--include-loopback=true", "--log-level=debug", "--http-port=0"];
      await withBundledNode(args, async (node) => {
        // Discovery is up once its UDP socket listens on the default port 5000.
        await waitUntil(node, "no UDP socket on port 5000", async () => {
          const probe = await new Deno.Command("ip", {
            args: ["netns", "exec", namespace, "ss", "-Hlun", "sport", "=", ":5000"],
            stdout: "piped",
            stderr: "null",
          }).output();
          return new TextDecoder().decode(probe.stdout).trim().length > 0;
        });
        await assertCleanExit(node);
        assert.match(await node.logs(), /discovery started/);
        assert.doesNotMatch(await node.logs(), /PermissionDenied|NotCapable|Requires .* access/);
      }, ["ip", "netns", "exec", namespace]);
    } finally {
      await ip("netns", "del", namespace);
    }
  },
});
