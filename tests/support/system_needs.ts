/**
 * The test suite's system needs, checked first by `deno task test` (the README's test command):
 * as root with apt-get it installs what is missing and says so in one line; otherwise it prints
 * the exact command to run, and the tests that need a missing tool skip with the reason (outside
 * CI) or fail (under CI=true) through the gates in tests/support/ci.ts.
 *
 * `planSystemNeeds` is the whole decision, pure and table-tested; the rest only probes and runs.
 */

export interface SystemNeed {
  /** The Debian package that provides it. */
  pkg: string;
  /** The program the tests run. */
  tool: string;
  /** Where the tests expect it; otherwise it is looked up on PATH. */
  path?: string;
  /** Which tests need it, for the messages. */
  usedBy: string;
}

export const SYSTEM_NEEDS: readonly SystemNeed[] = [
  { pkg: "chromium", tool: "chromium", path: "/usr/bin/chromium", usedBy: "browser tests" },
  { pkg: "iproute2", tool: "ip", usedBy: "network-namespace tests" },
  { pkg: "tcpdump", tool: "tcpdump", usedBy: "the packet-capture test" },
  { pkg: "curl", tool: "curl", usedBy: "the docs' curl test" },
];

export interface SystemFacts {
  /** Packages (SystemNeed.pkg) whose tool was not found. */
  missing: string[];
  root: boolean;
  /** apt-get is on PATH. */
  apt: boolean;
  /** CI=true: a missing tool fails its tests instead of skipping them. */
  ci: boolean;
}

export interface SystemPlan {
  /** Commands to run, in order (empty when nothing is to be installed here). */
  commands: string[][];
  /** What to print, one line each. */
  lines: string[];
}

/** The command a person runs to install `missing` (not root, or after a failed install). */
export function installAdvice(missing: string[], facts: { apt: boolean; root: boolean }): string {
  if (!facts.apt) return `install ${missing.join(" ")} with this system's package manager`;
  const sudo = facts.root ? "" : "sudo ";
  return `run: ${sudo}apt-get update && ${sudo}apt-get install -y ${missing.join(" ")}`;
}

export function planSystemNeeds(facts: SystemFacts): SystemPlan {
  const outcome = facts.ci ? "fail (CI=true)" : "skip";
  const lines: string[] = [];
  const commands: string[][] = [];
  if (facts.missing.length === 0) {
    lines.push(
      `system needs: ${SYSTEM_NEEDS.map((n) => n.pkg).join(", ")} present, nothing to install`,
    );
  } else if (facts.root && facts.apt) {
    commands.push(["apt-get", "update", "-qq"]);
    commands.push(["apt-get", "install", "-y", "-qq", ...facts.missing]);
    lines.push(`system needs: installing ${facts.missing.join(" ")} (apt-get, as root)`);
  } else {
    const users = SYSTEM_NEEDS.filter((n) => facts.missing.includes(n.pkg)).map((n) => n.usedBy);
    lines.push(
      `system needs: missing ${facts.missing.join(" ")} (${users.join(", ")}); ` +
        `tests needing it ${outcome}; ${installAdvice(facts.missing, facts)}`,
    );
  }
  if (!facts.root) {
    lines.push(
      `system needs: not root, so network-namespace tests ${outcome}; run the test command as root`,
    );
  }
  return { commands, lines };
}

// ---- I/O ----

/** The full path of `tool` on PATH (or its fixed path), or null when it is not there. */
export function findTool(tool: string, fixedPath?: string): string | null {
  const candidates = fixedPath
    ? [fixedPath]
    : (Deno.env.get("PATH") ?? "").split(":").filter((d) => d).map((d) => `${d}/${tool}`);
  for (const candidate of candidates) {
    try {
      const info = Deno.statSync(candidate);
      if (info.isFile && ((info.mode ?? 0o111) & 0o111) !== 0) return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

export function missingPackages(): string[] {
  return SYSTEM_NEEDS.filter((n) => findTool(n.tool, n.path) === null).map((n) => n.pkg);
}

async function run(argv: string[]): Promise<{ ok: boolean; output: string }> {
  const out = await new Deno.Command(argv[0], {
    args: argv.slice(1),
    env: { DEBIAN_FRONTEND: "noninteractive" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return { ok: out.success, output: decoder.decode(out.stdout) + decoder.decode(out.stderr) };
}

async function main(): Promise<void> {
  const facts: SystemFacts = {
    missing: missingPackages(),
    root: Deno.uid() === 0,
    apt: findTool("apt-get") !== null,
    ci: Deno.env.get("CI") === "true",
  };
  const plan = planSystemNeeds(facts);
  for (const line of plan.lines) console.error(line);
  for (const argv of plan.commands) {
    const result = await run(argv);
    if (!result.ok) {
      const tail = result.output.trim().split("\n").slice(-5).join("\n");
      console.error(`system needs: \`${argv.join(" ")}\` failed:\n${tail}`);
      break;
    }
  }
  if (plan.commands.length === 0) return;
  const still = missingPackages();
  if (still.length > 0) {
    console.error(
      `system needs: still missing ${still.join(", ")}; ${installAdvice(still, facts)}`,
    );
  }
}

if (import.meta.main) await main();
