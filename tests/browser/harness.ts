/**
 * Browser-test harness: a real NeuroMesh process on 127.0.0.1 (random ports, temp data dir)
 * backed by the in-process Ollama test double, and Debian's Chromium driven by playwright-core.
 * Everything stays on loopback; `close()` ends the process, the browser and the double.
 */
import { type Browser, chromium, type Page } from "playwright-core";
import {
  type AnswerRequest,
  type OllamaDouble,
  startOllamaDouble,
} from "../ollama_double/server.ts";
import { expectedAnswer } from "../ollama_double/answer.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
export const CHROMIUM = "/usr/bin/chromium";
export const SCREENSHOT_DIR = `${ROOT}test-output/screenshots`;
/** The program under test; NEUROMESH_MAIN points the suite at another entry (e.g. a bundle). */
const MAIN = Deno.env.get("NEUROMESH_MAIN") ?? `${ROOT}main.ts`;

export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-domain-reliability",
  "--disable-client-side-phishing-detection",
  "--disable-default-apps",
  "--disable-extensions",
  "--no-default-browser-check",
  "--disable-features=OptimizationHints,MediaRouter,Translate,AutofillServerCommunication",
];

/** Questions containing these markers get special answers from the double. */
export const HOSTILE_MARK = "[hostile]";
export const LONG_MARK = "[long]";
/** Markdown with live markup in it: none of it may run or load once rendered. */
export const HOSTILE_ANSWER = "Inert check: <script>window.__pwned = 'script'</script> then " +
  `<img src="x" onerror="window.__pwned = 'img'"> then [a link](javascript:window.__pwned='link') ` +
  "and **bold end**.\n\n<iframe src=\"javascript:window.top.__pwned='iframe'\"></iframe>\n";
export const LONG_ANSWER_TOKENS = 400;
/** Maths in every form the page renders, and a table too wide for a phone. */
export const MATH_MARK = "[math]";
export const MATH_ANSWER = "Euler: $e^{i\\pi} + 1 = 0$ and \\(a^2 + b^2 = c^2\\).\n\n" +
  "$$\n\\sum_{k=1}^{n} k = \\frac{n(n+1)}{2}\n$$\n\n" +
  "It costs $5 and $10.\n\n" +
  "| model | parameters | context | quantization | hosts |\n" +
  "| --- | --- | --- | --- | --- |\n" +
  "| llama3.2:3b-instruct | 3 billion | 131072 tokens | Q4_K_M | workstation-upstairs |\n" +
  "| qwen2.5-coder:7b-instruct | 7 billion | 32768 tokens | Q5_K_M | laptop-kitchen |\n";

function lastUserText(request: AnswerRequest): string {
  if (typeof request.input === "string") return request.input;
  return [...request.input].reverse().find((m) => m.role === "user")?.content ?? "";
}

/** The double's answers: deterministic, with the two special cases above. */
export function answerFor(request: AnswerRequest): string {
  const question = lastUserText(request);
  if (question.includes(HOSTILE_MARK)) return HOSTILE_ANSWER;
  if (question.includes(MATH_MARK)) return MATH_ANSWER;
  if (question.includes(LONG_MARK)) {
    return Array.from({ length: LONG_ANSWER_TOKENS }, (_, i) => `word${i} `).join("");
  }
  return expectedAnswer(request.model, request.input, 24);
}

export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

export interface NodeHandle {
  url: string;
  dataDir: string;
  logPath: string;
  stop(): Promise<void>;
}

/** Starts `deno run -A main.ts` and waits until /api/status answers. */
export async function startNode(options: {
  ollamaUrl: string;
  dir: string;
  name?: string;
}): Promise<NodeHandle> {
  const httpPort = freePort();
  const peerPort = freePort();
  const dataDir = `${options.dir}/data`;
  const logPath = `${options.dir}/node.log`;
  await Deno.mkdir(dataDir, { recursive: true });
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      MAIN,
      "--data-dir",
      dataDir,
      "--http-host",
      "127.0.0.1",
      "--http-port",
      String(httpPort),
      "--peer-host",
      "127.0.0.1",
      "--peer-port",
      String(peerPort),
      "--no-discovery",
      "--ollama-url",
      options.ollamaUrl,
      "--name",
      options.name ?? "Browser Test Node",
    ],
    cwd: ROOT,
    env: { NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const log = await Deno.open(logPath, { write: true, create: true, truncate: true });
  // Both streams go to one file; each pipe ends when the process closes it.
  const toLog = () =>
    new WritableStream<Uint8Array>({
      async write(chunk) {
        for (let offset = 0; offset < chunk.length;) {
          offset += await log.write(chunk.subarray(offset));
        }
      },
    });
  const drained = Promise.all([child.stdout.pipeTo(toLog()), child.stderr.pipeTo(toLog())])
    .catch(() => {})
    .finally(() => log.close());

  const url = `http://127.0.0.1:${httpPort}`;
  let exited = false;
  const status = child.status.then((s) => {
    exited = true;
    return s;
  });
  const stop = async () => {
    if (!exited) {
      try {
        child.kill("SIGTERM");
      } catch { /* already gone */ }
      const timer = setTimeout(() => {
        try {
          child.kill("SIGKILL");
        } catch { /* already gone */ }
      }, 5000);
      await status;
      clearTimeout(timer);
    }
    await drained;
  };
  const deadline = Date.now() + 30_000;
  while (true) {
    if (exited) {
      await stop();
      throw new Error(`node exited before serving ${url}:\n${await Deno.readTextFile(logPath)}`);
    }
    try {
      const response = await fetch(`${url}/api/status`);
      await response.body?.cancel();
      if (response.ok) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(
        `node did not serve ${url}/api/status within 30 s:\n${await Deno.readTextFile(logPath)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  return { url, dataDir, logPath, stop };
}

export function launchBrowser(): Promise<Browser> {
  // playwright gives every launch a fresh temporary profile (--user-data-dir) and removes it.
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 30_000 });
}

/**
 * Chromium inside a lab host's network namespace (tests/e2e/lab.ts), e.g. a phone or another
 * device on the LAN: playwright talks to it over pipes, which cross namespaces.
 */
export async function launchBrowserIn(host: { ns: string; name: string; lab: { dir: string } }) {
  const wrapper = `${host.lab.dir}/chromium-${host.name}.sh`;
  await Deno.writeTextFile(wrapper, `#!/bin/sh\nexec ip netns exec ${host.ns} ${CHROMIUM} "$@"\n`);
  await Deno.chmod(wrapper, 0o755);
  return await chromium.launch({ executablePath: wrapper, args: CHROMIUM_ARGS, timeout: 30_000 });
}

/** True when neither the page nor its scrolling panels scroll sideways (phone widths). */
export async function noSidewaysScroll(page: Page): Promise<boolean> {
  return await page.evaluate(() => {
    const root = document.scrollingElement ?? document.documentElement;
    return root.scrollWidth <= root.clientWidth &&
      [...document.querySelectorAll(".panel-scroll, .messages")].every((el) =>
        el.scrollWidth <= el.clientWidth
      );
  });
}

export async function screenshot(page: Page, name: string): Promise<string> {
  await Deno.mkdir(SCREENSHOT_DIR, { recursive: true });
  const path = `${SCREENSHOT_DIR}/${name}.png`;
  await page.screenshot({ path });
  return path;
}

/** One node + double + browser for a whole test; `close()` in `finally`. */
export interface Rig {
  node: NodeHandle;
  double: OllamaDouble;
  browser: Browser;
  close(): Promise<void>;
}

export async function startRig(
  options: { tokenLatencyMs?: number; ollamaUrl?: string } = {},
): Promise<Rig> {
  const dir = await Deno.makeTempDir({ prefix: "neuromesh-browser-" });
  const double = await startOllamaDouble({
    models: ["tinyllama:1.1b", "qwen2.5-coder:7b"],
    tokenLatencyMs: options.tokenLatencyMs ?? 25,
    answer: answerFor,
  });
  let node: NodeHandle | undefined;
  let browser: Browser | undefined;
  try {
    node = await startNode({ ollamaUrl: options.ollamaUrl ?? double.url, dir });
    browser = await launchBrowser();
  } catch (error) {
    await node?.stop();
    await double.close();
    throw error;
  }
  const started = { node, browser };
  return {
    node,
    double,
    browser,
    async close() {
      await started.browser.close().catch(() => {});
      await started.node.stop();
      await double.close();
      if (Deno.env.get("KEEP_TEST_DIRS") !== "1") await Deno.remove(dir, { recursive: true });
    },
  };
}
