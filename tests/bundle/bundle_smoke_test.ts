/**
 * The shipped single file works on its own: bundle main.ts, start it with a stock `deno run` and
 * the product's runtime flags in an EMPTY directory (no deno.json, no node_modules), fetch the
 * page, its script and /api/status on loopback, then SIGTERM it and expect a clean exit.
 */
import assert from "node:assert/strict";
import { bundleProgram } from "../../build/bundle.ts";
import { RUNTIME_FLAGS } from "../../core/service/launch_command.ts";

const READY_TIMEOUT_MS = 30_000;
const EXIT_TIMEOUT_MS = 10_000;

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** The environment without NEUROMESH_* settings, so only the flags below configure the node. */
function cleanEnv(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(Deno.env.toObject()).filter(([name]) => !name.startsWith("NEUROMESH_")),
  );
}

async function fetchWithin(url: string, ms = 5_000): Promise<Response> {
  return await fetch(url, { signal: AbortSignal.timeout(ms) });
}

Deno.test({
  name:
    "the bundled neuromesh.js serves the page, its script and /api/status from an empty directory",
  ignore: Deno.build.os === "windows", // SIGTERM is POSIX
  fn: async () => {
    const buildDir = await Deno.makeTempDir({ prefix: "nm-bundle-" });
    const emptyDir = await Deno.makeTempDir({ prefix: "nm-cwd-" });
    const dataDir = await Deno.makeTempDir({ prefix: "nm-data-" });
    let child: Deno.ChildProcess | undefined;
    let output: Promise<[string, string]> | undefined;
    try {
      const bundle = await bundleProgram(`${buildDir}/neuromesh.js`);
      assert.ok(bundle.ok, `deno bundle failed:\n${bundle.stderr}`);

      const httpPort = freePort();
      child = new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          ...RUNTIME_FLAGS,
          `${buildDir}/neuromesh.js`,
          `--http-port=${httpPort}`,
          "--http-host=127.0.0.1",
          `--peer-port=${freePort()}`,
          "--peer-host=127.0.0.1",
          `--discovery-port=${freePort()}`,
          "--no-discovery",
          `--ollama-url=http://127.0.0.1:${freePort()}`,
          `--data-dir=${dataDir}`,
          "--no-open",
        ],
        cwd: emptyDir,
        clearEnv: true,
        env: cleanEnv(),
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      output = Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text()]);
      const exited = child.status.then((status) => status);
      const base = `http://127.0.0.1:${httpPort}`;
      const logs = async () => {
        const [out, err] = await Promise.race([
          output!,
          new Promise<[string, string]>((r) => setTimeout(() => r(["", ""]), 500)),
        ]);
        return `--- stdout\n${out}--- stderr\n${err}`;
      };

      const deadline = Date.now() + READY_TIMEOUT_MS;
      let status: Response | undefined;
      while (Date.now() < deadline) {
        const early = await Promise.race([
          exited,
          new Promise<null>((r) => setTimeout(() => r(null), 100)),
        ]);
        if (early) {
          assert.fail(`neuromesh.js exited early with code ${early.code}\n${await logs()}`);
        }
        status = await fetchWithin(`${base}/api/status`, 1_000).catch(() => undefined);
        if (status) break;
      }
      assert.ok(status, `no answer on ${base}/api/status within ${READY_TIMEOUT_MS} ms`);
      assert.equal(status.status, 200, `/api/status answered ${status.status}`);
      const body = await status.json();
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
        `the page should load /assets/app.js; its HTML:\n${html.slice(0, 500)}`,
      );

      const script = await fetchWithin(`${base}${src}`);
      const code = await script.text();
      assert.equal(script.status, 200, `${src} answered ${script.status}`);
      assert.match(script.headers.get("content-type") ?? "", /javascript/);
      assert.ok(code.length > 1000, `${src} is only ${code.length} bytes`);

      child.kill("SIGTERM");
      const result = await Promise.race([
        exited,
        new Promise<null>((r) => setTimeout(() => r(null), EXIT_TIMEOUT_MS)),
      ]);
      assert.ok(result, `neuromesh.js did not exit within ${EXIT_TIMEOUT_MS} ms of SIGTERM`);
      assert.equal(
        result.signal,
        null,
        `neuromesh.js was killed by ${result.signal}\n${await logs()}`,
      );
      assert.equal(
        result.code,
        0,
        `neuromesh.js exited with code ${result.code} after SIGTERM\n${await logs()}`,
      );
      child = undefined;
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
  },
});
