/**
 * Whole-process probes for the start-time section: how long a command runs and the peak memory
 * the kernel accounted to it (GNU time's %M), and how long a process takes from spawn until an
 * HTTP server answers on a unix socket. Every wait is bounded.
 */
import { percentile } from "../measures/llm.ts";
import { readProcSample } from "../proc_stats.ts";

const TIME_TOOL = "/usr/bin/time";

/** `argv` with only the given environment and nothing read from or kept of its output. */
function spawnQuiet(
  argv: string[],
  options: { cwd: string; env: Record<string, string> },
): Deno.ChildProcess {
  return new Deno.Command(argv[0], {
    args: argv.slice(1),
    cwd: options.cwd,
    env: options.env,
    clearEnv: true,
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
}

export interface CommandRun {
  /** Spawn to exit, measured here. */
  wallMs: number;
  /** Peak resident memory (MB = 10^6 bytes), null without /usr/bin/time. */
  peakMB: number | null;
  code: number;
}

export function timeToolUnavailableReason(): string | null {
  try {
    Deno.statSync(TIME_TOOL);
    return null;
  } catch {
    return `${TIME_TOOL} is missing (Debian package \`time\`): peak memory is not measured`;
  }
}

/** Runs `argv` to its end (killed after `timeoutMs`); stdout and stderr are thrown away. */
export async function runCommand(
  argv: string[],
  options: { cwd: string; env: Record<string, string>; timeoutMs: number },
): Promise<CommandRun> {
  const measured = timeToolUnavailableReason() === null;
  const report = await Deno.makeTempFile({ prefix: "nm-start-time-" });
  try {
    const args = ["-f", "%M", "-o", report, ...argv];
    const started = performance.now();
    const child = spawnQuiet(measured ? [TIME_TOOL, ...args] : argv, options);
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs);
    const status = await child.status;
    const wallMs = performance.now() - started;
    clearTimeout(timer);
    const kb = measured ? Number((await Deno.readTextFile(report)).trim().split("\n").at(-1)) : NaN;
    return { wallMs, peakMB: Number.isFinite(kb) ? kb * 1024 / 1e6 : null, code: status.code };
  } finally {
    await Deno.remove(report).catch(() => {});
  }
}

/** One GET over a unix socket; true on a 200. Any failure (not listening yet) is false. */
async function answers(socketPath: string, path: string): Promise<boolean> {
  let conn: Deno.UnixConn | undefined;
  try {
    conn = await Deno.connect({ transport: "unix", path: socketPath });
    await conn.write(
      new TextEncoder().encode(
        `GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`,
      ),
    );
    const buffer = new Uint8Array(64);
    const read = await conn.read(buffer);
    return read !== null && /^HTTP\/1\.[01] 200 /.test(new TextDecoder().decode(buffer));
  } catch {
    return false;
  } finally {
    conn?.close();
  }
}

export interface ReadyRun {
  /** Spawn to the first 200 on `path`. */
  readyMs: number;
  /** VmRSS of the process right after it answered (MB = 10^6 bytes). */
  rssMB: number;
}

/**
 * Spawns `argv` (which must exec the server itself, so the pid is the server's), polls `path`
 * on `socketPath` every `pollMs` until it answers 200 or `timeoutMs` passes, then stops it
 * (SIGTERM, SIGKILL after 5 s).
 */
export async function timeUntilReady(
  argv: string[],
  options: {
    socketPath: string;
    path: string;
    env: Record<string, string>;
    cwd: string;
    timeoutMs: number;
    pollMs: number;
  },
): Promise<ReadyRun> {
  await Deno.remove(options.socketPath).catch(() => {});
  const started = performance.now();
  const child = spawnQuiet(argv, options);
  try {
    while (performance.now() - started < options.timeoutMs) {
      if (await answers(options.socketPath, options.path)) {
        const readyMs = performance.now() - started;
        return { readyMs, rssMB: (await readProcSample(child.pid)).rssBytes / 1e6 };
      }
      await new Promise((resolve) => setTimeout(resolve, options.pollMs));
    }
    throw new Error(`${argv.join(" ")} did not answer ${options.path} in ${options.timeoutMs} ms`);
  } finally {
    const signal = (name: Deno.Signal) => {
      try {
        child.kill(name);
      } catch { /* already gone */ }
    };
    signal("SIGTERM");
    const killer = setTimeout(() => signal("SIGKILL"), 5_000);
    await child.status;
    clearTimeout(killer);
  }
}

/** The middle value (nearest rank). */
export function median(values: readonly number[]): number {
  return percentile([...values].sort((a, b) => a - b), 50);
}
