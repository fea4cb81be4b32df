/**
 * A LAN in network namespaces: one bridge namespace and N host namespaces, each with its own
 * 10.99.0.K/24 address on a veth into the bridge. Real NeuroMesh processes run inside the hosts
 * with default ports and no peer configuration, the way users run them on a LAN.
 * Everything is torn down in `close()`; namespace names carry the creating pid so leftovers of
 * dead runs are removed and parallel runs never collide.
 */
import { type Forwarder, forwardTcpToUnix } from "../support/unix_forward.ts";
import { V8_FLAGS } from "../../core/service/launch_command.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
export const MAIN_TS = `${ROOT}main.ts`;
export const DENO = Deno.execPath();
const PREFIX = "nmlab";

export async function ip(...args: string[]): Promise<string> {
  const out = await new Deno.Command("ip", { args, stdout: "piped", stderr: "piped" }).output();
  if (!out.success) {
    throw new Error(`ip ${args.join(" ")}: ${new TextDecoder().decode(out.stderr).trim()}`);
  }
  return new TextDecoder().decode(out.stdout);
}

function pidAlive(pid: number): boolean {
  try {
    Deno.statSync(`/proc/${pid}`);
    return true;
  } catch {
    return false;
  }
}

/** Deletes namespaces left by runs whose process is gone. */
async function removeStaleNamespaces() {
  const list = await ip("netns", "list");
  for (const line of list.split("\n")) {
    const name = line.split(" ")[0];
    const match = name.match(new RegExp(`^${PREFIX}(\\d+)x`));
    if (match && !pidAlive(Number(match[1]))) await ip("netns", "del", name).catch(() => {});
  }
}

export interface NodeOptions {
  args?: string[];
  env?: Record<string, string>;
  /** Keep the data dir from a previous start (restart). */
  dataDir?: string;
  /** Entry script instead of main.ts (same flags), e.g. a node that misbehaves on purpose. */
  script?: string;
  /** How long `start()` waits for the API (default 15 s; dozens starting at once need more). */
  readyTimeoutMs?: number;
  /** How often `start()` polls the API meanwhile (default 50 ms). */
  readyPollMs?: number;
}

export class LabNode {
  process: Deno.ChildProcess | null = null;
  forwarder: Forwarder | null = null;
  readonly dataDir: string;
  readonly socketPath: string;
  readonly logPath: string;
  #starts = 0;

  constructor(readonly host: LabHost, dataDir: string) {
    this.dataDir = dataDir;
    this.socketPath = `${host.lab.dir}/${host.name}.sock`;
    this.logPath = `${host.lab.dir}/${host.name}.log`;
  }

  get url(): string {
    if (!this.forwarder) throw new Error(`${this.host.name} has no HTTP forwarder (not started)`);
    return this.forwarder.url;
  }

  /** Starts the node and waits until its API answers. */
  async start(options: NodeOptions = {}): Promise<void> {
    this.#starts++;
    try {
      Deno.removeSync(this.socketPath);
    } catch { /* not there */ }
    await Deno.writeTextFile(this.logPath, `--- start ${this.#starts} ---\n`, { append: true });
    // The shell redirects both streams to the node's log and execs the node, so the pid we
    // hold is the node itself and nothing in the test has to drain its pipes.
    const args = [
      "netns",
      "exec",
      this.host.ns,
      "sh",
      "-c",
      `exec "$0" "$@" >>'${this.logPath}' 2>&1`,
      DENO,
      "run",
      "--allow-all",
      V8_FLAGS, // as the product runs (launch_command.ts)
      "--quiet",
      options.script ?? MAIN_TS,
      "--data-dir",
      this.dataDir,
      "--http-socket",
      this.socketPath,
      "--name",
      this.host.name,
      "--log-level",
      "debug",
      ...(options.args ?? []),
    ];
    this.process = new Deno.Command("ip", {
      args,
      stdin: "null",
      stdout: "null",
      stderr: "null",
      env: { NO_COLOR: "1", RUST_BACKTRACE: "0", DENO_NO_UPDATE_CHECK: "1", ...options.env },
    }).spawn();
    this.forwarder?.close();
    this.forwarder = forwardTcpToUnix(this.socketPath);
    await this.waitReady(options.readyTimeoutMs, options.readyPollMs);
  }

  /** Waits until the API answers; fails at once, with the log, if the process has exited. */
  async waitReady(timeoutMs = 15_000, pollMs = 50): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let exited: Deno.CommandStatus | null = null;
    this.process?.status.then((status) => exited = status);
    while (Date.now() < deadline) {
      if (exited !== null) {
        const { code, signal } = exited as Deno.CommandStatus;
        throw new Error(
          `${this.host.name} exited while starting (code ${code}${signal ? `, ${signal}` : ""}); ` +
            `log:\n${await this.tail()}`,
        );
      }
      try {
        const res = await fetch(`${this.url}/api/status`);
        await res.body?.cancel();
        if (res.ok) return;
      } catch { /* not yet */ }
      await new Promise((r) => setTimeout(r, pollMs));
    }
    throw new Error(`${this.host.name} did not become ready; log:\n${await this.tail()}`);
  }

  async status(): Promise<NodeStatus> {
    const res = await fetch(`${this.url}/api/status`);
    if (!res.ok) throw new Error(`status of ${this.host.name}: HTTP ${res.status}`);
    return await res.json();
  }

  /** Sends a signal and waits for the process to exit. */
  async stop(signal: Deno.Signal = "SIGTERM"): Promise<Deno.CommandStatus | null> {
    const proc = this.process;
    if (!proc) return null;
    this.process = null;
    // `ip netns exec` execs the program, so the pid is the node itself.
    try {
      proc.kill(signal);
    } catch { /* already gone */ }
    const status = await proc.status;
    this.forwarder?.close();
    this.forwarder = null;
    return status;
  }

  /** The node process's resident memory (VmRSS) in kB. */
  rssKb(): number {
    if (!this.process) throw new Error(`${this.host.name} is not running`);
    const status = Deno.readTextFileSync(`/proc/${this.process.pid}/status`);
    return Number(status.match(/VmRSS:\s+(\d+)/)?.[1] ?? NaN);
  }

  async tail(lines = 60): Promise<string> {
    try {
      const text = await Deno.readTextFile(this.logPath);
      return text.split("\n").slice(-lines).join("\n");
    } catch {
      return "(no log)";
    }
  }
}

export interface PeerStatus {
  id: string;
  name: string;
  address: string;
  state: string;
  hasLlm: boolean;
  rttMs: number | null;
}
export interface NodeStatus {
  node: { id: string; name: string; hasLlm: boolean };
  peers: PeerStatus[];
}

export class LabHost {
  readonly ns: string;
  readonly name: string;
  readonly address: string;
  readonly bridgePort: string;
  node: LabNode;
  #background: Deno.ChildProcess[] = [];

  constructor(readonly lab: Lab, readonly index: number, address?: string) {
    this.ns = `${lab.id}n${index}`;
    this.name = `node${index}`;
    this.address = address ?? `10.99.0.${index}`;
    this.bridgePort = `v${index}`;
    this.node = new LabNode(this, `${lab.dir}/${this.name}-data`);
  }

  /** Runs a command inside this host's namespace and returns its stdout. */
  async exec(cmd: string[]): Promise<string> {
    return await ip("netns", "exec", this.ns, ...cmd);
  }

  /** Runs a Deno script (a test tool printing one JSON line last) in this namespace. */
  async runTool(script: string, args: string[]): Promise<Record<string, unknown>> {
    const out = await this.exec([DENO, "run", "--allow-all", "--quiet", script, ...args]);
    const line = out.trim().split("\n").at(-1) ?? "";
    try {
      return JSON.parse(line);
    } catch {
      throw new Error(`${script} printed no JSON: ${out}`);
    }
  }

  /** Starts a long-running helper process (e.g. the Ollama test double) in this namespace. */
  async spawn(cmd: string[], readyLine?: RegExp): Promise<Deno.ChildProcess> {
    const proc = new Deno.Command("ip", {
      args: ["netns", "exec", this.ns, ...cmd],
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    this.#background.push(proc);
    if (readyLine) {
      const reader = proc.stdout.pipeThrough(new TextDecoderStream()).getReader();
      let seen = "";
      const deadline = Date.now() + 15_000;
      while (!readyLine.test(seen)) {
        if (Date.now() > deadline) throw new Error(`${cmd.join(" ")}: no ready line, got ${seen}`);
        const { value, done } = await reader.read();
        if (done) throw new Error(`${cmd.join(" ")} exited before ready: ${seen}`);
        seen += value;
      }
      // keep draining so the child never blocks on a full pipe
      (async () => {
        while (!(await reader.read()).done) { /* discard */ }
      })().catch(() => {});
    } else {
      proc.stdout.cancel().catch(() => {});
    }
    return proc;
  }

  /** Starts the Ollama test double on 127.0.0.1:11434 inside this host. */
  async startOllama(args: string[] = []): Promise<Deno.ChildProcess> {
    return await this.spawn(
      [
        DENO,
        "run",
        "--allow-all",
        "--quiet",
        `${ROOT}tests/ollama_double/main.ts`,
        "--host",
        "127.0.0.1",
        "--port",
        "11434",
        ...args,
      ],
      /listening/,
    );
  }

  /** Cuts this host off the LAN (its bridge port goes down) or reconnects it. */
  async setLinked(up: boolean): Promise<void> {
    await ip("-n", this.lab.bridgeNs, "link", "set", this.bridgePort, up ? "up" : "down");
  }

  async killBackground(): Promise<void> {
    for (const proc of this.#background) {
      try {
        proc.kill("SIGKILL");
      } catch { /* gone */ }
      await proc.status.catch(() => {});
    }
    this.#background = [];
  }
}

export class Lab {
  readonly hosts: LabHost[] = [];
  readonly bridgeNs: string;

  private constructor(readonly id: string, readonly dir: string) {
    this.bridgeNs = `${id}br`;
  }

  /** Creates the bridge and `count` hosts on 10.99.0.0/24 (host K is 10.99.0.K). */
  static async create(
    count: number,
    options: { defaultRoute?: boolean; subnets?: number[] } = {},
  ): Promise<Lab> {
    await removeStaleNamespaces();
    const id = `${PREFIX}${Deno.pid}x${Math.random().toString(36).slice(2, 6)}`;
    const lab = new Lab(id, await Deno.makeTempDir({ prefix: "neuromesh-lab-" }));
    try {
      await ip("netns", "add", lab.bridgeNs);
      await ip("-n", lab.bridgeNs, "link", "add", "br0", "type", "bridge");
      await ip("-n", lab.bridgeNs, "link", "set", "br0", "up");
      for (let k = 1; k <= count; k++) {
        await lab.addHost(k, options.defaultRoute ?? true, options.subnets?.[k - 1] ?? 0);
      }
    } catch (error) {
      await lab.close();
      throw error;
    }
    return lab;
  }

  /**
   * Adds host K. `subnet` (default 0) puts it on 10.99.<subnet>.K/24: hosts on different
   * subnets share the bridge and reach each other by unicast (on-link route to 10.99.0.0/16)
   * but never receive each other's subnet broadcasts.
   */
  async addHost(k: number, defaultRoute = true, subnet = 0): Promise<LabHost> {
    const host = new LabHost(this, k, `10.99.${subnet}.${k}`);
    await ip("netns", "add", host.ns);
    await ip(
      "-n",
      this.bridgeNs,
      "link",
      "add",
      host.bridgePort,
      "type",
      "veth",
      "peer",
      "name",
      "eth0",
      "netns",
      host.ns,
    );
    await ip("-n", this.bridgeNs, "link", "set", host.bridgePort, "master", "br0");
    await ip("-n", this.bridgeNs, "link", "set", host.bridgePort, "up");
    await ip(
      "-n",
      host.ns,
      "addr",
      "add",
      `${host.address}/24`,
      "brd",
      `10.99.${subnet}.255`,
      "dev",
      "eth0",
    );
    await ip("-n", host.ns, "link", "set", "eth0", "up");
    await ip("-n", host.ns, "link", "set", "lo", "up");
    await ip("-n", host.ns, "route", "add", "10.99.0.0/16", "dev", "eth0");
    if (defaultRoute) await ip("-n", host.ns, "route", "add", "default", "dev", "eth0");
    this.hosts.push(host);
    return host;
  }

  host(k: number): LabHost {
    const host = this.hosts.find((h) => h.index === k);
    if (!host) throw new Error(`no host ${k} in lab ${this.id}`);
    return host;
  }

  /** Starts a node on every host (in parallel) and returns when all answer. */
  async startAll(options: NodeOptions = {}): Promise<void> {
    await Promise.all(this.hosts.map((h) => h.node.start(options)));
  }

  async logs(): Promise<string> {
    const parts = await Promise.all(
      this.hosts.map(async (h) => `=== ${h.name} ===\n${await h.node.tail()}`),
    );
    return parts.join("\n");
  }

  async close(): Promise<void> {
    for (const host of this.hosts) {
      await host.node.stop("SIGKILL").catch(() => {});
      await host.killBackground();
    }
    for (const host of this.hosts) await ip("netns", "del", host.ns).catch(() => {});
    await ip("netns", "del", this.bridgeNs).catch(() => {});
    if (Deno.env.get("KEEP_LAB_LOGS") !== "1") {
      await Deno.remove(this.dir, { recursive: true }).catch(() => {});
    }
  }
}

/** Polls `check` until it returns true or the deadline passes; returns the elapsed ms. */
export async function waitFor(
  what: string,
  check: () => Promise<boolean> | boolean,
  timeoutMs: number,
  intervalMs = 25,
): Promise<number> {
  const start = performance.now();
  let lastError: unknown;
  while (performance.now() - start < timeoutMs) {
    try {
      if (await check()) return performance.now() - start;
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}${
      lastError ? ` (last error: ${(lastError as Error).message})` : ""
    }`,
  );
}

/**
 * Runs `body` on a fresh lab of `count` hosts, prints every node's log tail when it fails, and
 * always tears the lab down.
 */
export async function withLab<T>(
  count: number,
  body: (lab: Lab) => Promise<T>,
  options: { defaultRoute?: boolean; subnets?: number[] } = {},
): Promise<T> {
  const lab = await Lab.create(count, options);
  try {
    return await body(lab);
  } catch (error) {
    console.error(await lab.logs());
    throw error;
  } finally {
    await lab.close();
  }
}
