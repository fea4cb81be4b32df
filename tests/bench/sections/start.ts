/**
 * 0. Start time: how long `neuromesh --version`, `--help` and `service status` take and how much
 * memory they peak at, each against a bare `deno eval` started the same way (same runtime flags,
 * same empty directory, runs interleaved); then one node from spawn until its API answers, in a
 * private network namespace that has only loopback (discovery on, confined to it), against a
 * `deno eval` that serves one HTTP answer the same way. `--version` and the node also run from the
 * single-file bundle (build/bundle.ts), which Deno starts without building a module graph.
 */
import { netnsUnavailableReason } from "../../support/ci.ts";
import { RUNTIME_FLAGS } from "../../../core/service/launch_command.ts";
import { DENO, ip } from "../../e2e/lab.ts";
import { bundleProgram } from "../../../build/bundle.ts";
import type { Figure, Goal } from "../report.ts";
import type { Section } from "../section.ts";
import {
  type CommandRun,
  median,
  type ReadyRun,
  runCommand,
  timeToolUnavailableReason,
  timeUntilReady,
} from "./start_probe.ts";

const ROOT = new URL("../../../", import.meta.url).pathname;
const PROGRAM = [DENO, "run", ...RUNTIME_FLAGS, "--config", `${ROOT}deno.json`, `${ROOT}main.ts`];
const BARE = [DENO, "eval", "0"];
const COMMAND_TIMEOUT_MS = 20_000;
const READY_TIMEOUT_MS = 30_000;

/** Only what the runtime needs: no NEUROMESH_* settings, a HOME of our own. */
function environment(home: string): Record<string, string> {
  const keep = ["PATH", "DENO_DIR", "LANG"];
  const env: Record<string, string> = { HOME: home, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" };
  for (const name of keep) {
    const value = Deno.env.get(name);
    if (value !== undefined) env[name] = value;
  }
  return env;
}

interface Paired<T> {
  program: T[];
  bare: T[];
}

/** A warm-up of each, then `runs` of each in turn (A B A B…), so drift hits both alike. */
async function interleaved<T>(runs: number, a: () => Promise<T>, b: () => Promise<T>) {
  await a();
  await b();
  const out: Paired<T> = { program: [], bare: [] };
  for (let i = 0; i < runs; i++) {
    out.program.push(await a());
    out.bare.push(await b());
  }
  return out;
}

const CLI_GOALS = { ms: { op: "<", value: 50 }, mb: { op: "<", value: 45 } } satisfies Record<
  string,
  Goal
>;

function commandFigures(label: string, runs: Paired<CommandRun>): Figure[] {
  const wall = (list: CommandRun[]) => median(list.map((r) => r.wallMs));
  const peaks = (list: CommandRun[]) => list.map((r) => r.peakMB).filter((v) => v !== null);
  const figures: Figure[] = [{
    label: `${label}: wall time`,
    value: wall(runs.program),
    unit: "ms",
    goal: CLI_GOALS.ms,
    baseline: { label: "deno eval", value: wall(runs.bare) },
  }];
  const [program, bare] = [peaks(runs.program), peaks(runs.bare)];
  if (program.length && bare.length) {
    figures.push({
      label: `${label}: peak RSS`,
      value: median(program),
      unit: "MB",
      goal: CLI_GOALS.mb,
      baseline: { label: "deno eval", value: median(bare) },
    });
  }
  return figures;
}

/** The smallest process that answers HTTP on the same socket: the floor for "API ready". */
function bareServer(socketPath: string): string[] {
  const code = `Deno.serve({ path: ${JSON.stringify(socketPath)}, onListen() {} }, ` +
    `() => new Response("ok"));`;
  return [DENO, "eval", code];
}

/** Runs `fn` inside a fresh namespace with only loopback up; always deleted afterwards. */
async function withPrivateNamespace<T>(fn: (ns: string) => Promise<T>): Promise<T> {
  const ns = `nmstart${Deno.pid}`;
  await ip("netns", "del", ns).catch(() => {});
  await ip("netns", "add", ns);
  try {
    await ip("-n", ns, "link", "set", "lo", "up");
    return await fn(ns);
  } finally {
    await ip("netns", "del", ns).catch(() => {});
  }
}

async function readyFigures(
  dir: string,
  runs: number,
  bundle: string[] | null,
): Promise<Figure[]> {
  const socketPath = `${dir}/api.sock`;
  const env = environment(dir);
  const probe = { socketPath, path: "/api/status", env, cwd: dir, pollMs: 2 };
  return await withPrivateNamespace(async (ns) => {
    const inNs = (argv: string[]) => ["ip", "netns", "exec", ns, ...argv];
    const node = (dataDir: string, program = PROGRAM) =>
      inNs([
        ...program,
        "--data-dir",
        dataDir,
        "--http-socket",
        socketPath,
        "--include-loopback",
        "--log-level",
        "warn",
      ]);
    const bare = () =>
      timeUntilReady(inNs(bareServer(socketPath)), {
        ...probe,
        path: "/",
        timeoutMs: READY_TIMEOUT_MS,
      });
    let fresh = 0;
    const first = () =>
      timeUntilReady(node(`${dir}/fresh-${fresh++}`), { ...probe, timeoutMs: READY_TIMEOUT_MS });
    const again = () =>
      timeUntilReady(node(`${dir}/kept`), { ...probe, timeoutMs: READY_TIMEOUT_MS });
    const firstRuns = await interleaved(runs, first, bare);
    const restartRuns = await interleaved(runs, again, bare);
    const bundleRuns = bundle &&
      await interleaved(
        runs,
        () =>
          timeUntilReady(node(`${dir}/kept`, bundle), { ...probe, timeoutMs: READY_TIMEOUT_MS }),
        bare,
      );
    const ms = (list: ReadyRun[]) => median(list.map((r) => r.readyMs));
    const mb = (list: ReadyRun[]) => median(list.map((r) => r.rssMB));
    const bareBaseline = (list: ReadyRun[], pick: (l: ReadyRun[]) => number) => ({
      label: "deno eval serving",
      value: pick(list),
    });
    return [
      {
        label: "node: spawn → API answers (data dir kept)",
        value: ms(restartRuns.program),
        unit: "ms",
        goal: { op: "<", value: 250 },
        baseline: bareBaseline(restartRuns.bare, ms),
      },
      {
        label: "node: spawn → API answers (first start)",
        value: ms(firstRuns.program),
        unit: "ms",
        baseline: bareBaseline(firstRuns.bare, ms),
      },
      {
        label: "node: RSS when the API answers",
        value: mb(restartRuns.program),
        unit: "MB",
        baseline: bareBaseline(restartRuns.bare, mb),
      },
      ...(bundleRuns
        ? [{
          label: "node from the bundle: spawn → API answers (kept)",
          value: ms(bundleRuns.program),
          unit: "ms",
          baseline: bareBaseline(bundleRuns.bare, ms),
        }, {
          label: "node from the bundle: RSS when the API answers",
          value: mb(bundleRuns.program),
          unit: "MB",
          baseline: bareBaseline(bundleRuns.bare, mb),
        }]
        : []),
    ];
  });
}

export const startSection: Section = {
  id: "start",
  number: "0",
  title: "Start time and memory of commands and of one node",
  needsNetns: false,
  async run({ quick }) {
    const runs = quick ? 3 : 7;
    const dir = await Deno.makeTempDir({ prefix: "nm-bench-start-" });
    try {
      const options = { cwd: dir, env: environment(dir), timeoutMs: COMMAND_TIMEOUT_MS };
      const figures: Figure[] = [];
      // The single file users may run instead of the sources (build/bundle.ts).
      const bundled = await bundleProgram(`${dir}/neuromesh.js`);
      const bundle = bundled.ok ? [DENO, "run", ...RUNTIME_FLAGS, `${dir}/neuromesh.js`] : null;
      const commands: [string, string[]][] = [
        ["--version", [...PROGRAM, "--version"]],
        ["--help", [...PROGRAM, "--help"]],
        ["service status", [...PROGRAM, "service", "status", "--dry-run"]],
        ...(bundle ? [["bundle --version", [...bundle, "--version"]] as [string, string[]]] : []),
      ];
      const details: Record<string, unknown> = {};
      const failures: string[] = [];
      for (const [label, argv] of commands) {
        const paired = await interleaved(
          runs,
          () => runCommand(argv, options),
          () => runCommand(BARE, options),
        );
        details[label] = paired;
        figures.push(...commandFigures(label, paired));
        const failed = paired.program.filter((run) => run.code !== 0).length;
        if (failed) failures.push(`${label}: ${failed} of ${runs} runs exited non-zero`);
      }
      const notes = [
        `commands: \`deno run <service flags> --config deno.json main.ts …\` against \`deno eval 0\`, ` +
        `both from an empty directory, ${runs} runs each after a warm-up, interleaved; medians; ` +
        `peak RSS from GNU time (%M), MB = 10^6 bytes; service status with --dry-run ` +
        `(the node's own part, without systemctl); bundle = \`deno run <service flags> ` +
        `neuromesh.js\` made by \`deno bundle\` for this run`,
      ];
      if (!bundle) notes.push(`bundle rows left out: deno bundle failed: ${bundled.stderr.trim()}`);
      if (failures.length) notes.push(`figures of failed commands: ${failures.join("; ")}`);
      const noTime = timeToolUnavailableReason();
      if (noTime) notes.push(noTime);
      const noNetns = netnsUnavailableReason();
      if (noNetns) {
        notes.push(`spawn → API answers not measured: it runs in a network namespace (${noNetns})`);
      } else {
        figures.push(...await readyFigures(dir, quick ? 2 : 5, bundle));
        notes.push(
          `node: in a private network namespace with only loopback (discovery on, confined to it), ` +
            `polled every 2 ms on its unix socket (GET /api/status) until 200; baseline: ` +
            `\`deno eval\` of Deno.serve on the same socket; first start = new data dir (identity and ` +
            `certificate made), kept = same data dir each time`,
        );
      }
      return { figures, notes, details };
    } finally {
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
};
