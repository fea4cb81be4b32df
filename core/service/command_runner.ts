/**
 * Running OS tools (systemctl, launchctl, schtasks, ufw, …) behind one narrow function type, so
 * the service and firewall logic are tested with a fake runner that records what it was asked.
 */
export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export type CommandRunner = (argv: readonly string[]) => Promise<CommandResult>;

/** One command of a plan; `allowFailure` marks clean-up steps whose failure is expected. */
export interface CommandStep {
  argv: string[];
  allowFailure?: boolean;
}

/** Runs a tool to completion with no stdin; a missing tool becomes exit code 127, not a throw. */
export const runCommand: CommandRunner = async (argv) => {
  const [program, ...args] = argv;
  try {
    const out = await new Deno.Command(program, {
      args,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    })
      .output();
    const text = new TextDecoder();
    return { code: out.code, stdout: text.decode(out.stdout), stderr: text.decode(out.stderr) };
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      return { code: 127, stdout: "", stderr: `${program}: command not found` };
    }
    throw error;
  }
};

/** Looks a program up on PATH the way a shell would; null when no such executable exists. */
export async function findOnPath(
  name: string,
  env: (name: string) => string | undefined = (key) => Deno.env.get(key),
  os: typeof Deno.build.os = Deno.build.os,
): Promise<string | null> {
  const separator = os === "windows" ? ";" : ":";
  const slash = os === "windows" ? "\\" : "/";
  const extensions = os === "windows"
    ? ["", ...(env("PATHEXT") ?? ".EXE;.CMD;.BAT").split(";")]
    : [""];
  for (const dir of (env("PATH") ?? "").split(separator).filter(Boolean)) {
    for (const ext of extensions) {
      const candidate = `${dir.replace(/[\\/]$/, "")}${slash}${name}${ext.toLowerCase()}`;
      try {
        const info = await Deno.stat(candidate);
        if (info.isFile && (os === "windows" || ((info.mode ?? 0o111) & 0o111) !== 0)) {
          return candidate;
        }
      } catch {
        // not in this directory
      }
    }
  }
  return null;
}
