import { type CommandRunner } from "./command_runner.ts";
import { planService, SERVICE_ACTIONS, type ServiceAction, type ServiceHost } from "./plan.ts";
import { formatCommand } from "./shell_quote.ts";
import { type ServiceSpec } from "./spec.ts";

export interface ServiceOptions {
  host: ServiceHost;
  spec: ServiceSpec;
  /** Print the files and commands instead of writing and running them. */
  dryRun: boolean;
}

/** Everything the service command does to the machine, injected so tests run nothing. */
export interface ServiceIo {
  run: CommandRunner;
  mkdir(path: string): Promise<void>;
  /** Writes the file, creating its parent directories. */
  writeTextFile(path: string, content: string): Promise<void>;
  /** Removes the file; a missing file is not an error. */
  remove(path: string): Promise<void>;
  print(line: string): void;
}

export const SERVICE_USAGE =
  "usage: neuromesh service install|uninstall|status [--dry-run] [options]";

/**
 * `neuromesh service <action>`: installs, removes or queries the per-user service that runs
 * this node at login. Returns the process exit code (2 for a bad action).
 */
export async function runServiceCommand(
  action: string | undefined,
  options: ServiceOptions,
  io: ServiceIo,
): Promise<number> {
  if (!SERVICE_ACTIONS.includes(action as ServiceAction)) {
    io.print(
      action === undefined ? SERVICE_USAGE : `unknown service action "${action}"; ${SERVICE_USAGE}`,
    );
    return 2;
  }
  const { host, dryRun } = options;
  let plan;
  try {
    plan = planService(action as ServiceAction, host, options.spec);
  } catch (error) {
    io.print(`neuromesh service ${action}: ${(error as Error).message}`);
    return 1;
  }
  const show = (argv: string[]) => formatCommand(argv, host.os);
  for (const step of plan.steps) {
    if (dryRun) {
      if (step.kind === "mkdir") io.print(`[dry run] would create directory ${step.path}`);
      if (step.kind === "write") io.print(`[dry run] would write ${step.path}:\n${step.content}`);
      if (step.kind === "remove") io.print(`[dry run] would remove ${step.path}`);
      if (step.kind === "run") io.print(`[dry run] would run: ${show(step.argv)}`);
      continue;
    }
    if (step.kind === "mkdir") await io.mkdir(step.path);
    if (step.kind === "write") {
      await io.writeTextFile(step.path, step.content);
      io.print(`wrote ${step.path}`);
    }
    if (step.kind === "remove") {
      await io.remove(step.path);
      io.print(`removed ${step.path}`);
    }
    if (step.kind !== "run") continue;
    const result = await io.run(step.argv);
    if (step.report) {
      io.print((result.stdout + result.stderr).trimEnd());
      return result.code;
    }
    if (result.code !== 0 && !step.allowFailure) {
      io.print(
        `failed (exit ${result.code}): ${show(step.argv)}\n${
          (result.stderr || result.stdout).trimEnd()
        }`,
      );
      return 1;
    }
    if (result.code === 0) io.print(`ran: ${show(step.argv)}`);
  }
  for (const note of plan.notes) io.print(note);
  return 0;
}
