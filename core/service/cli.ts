import { dirname, resolve } from "node:path";
import { type Invocation } from "../config/from_process.ts";
import { runCommand } from "./command_runner.ts";
import { currentProcessFacts, launchCommand } from "./launch_command.ts";
import { serviceNodeArgs } from "./node_args.ts";
import { runServiceCommand, type ServiceIo } from "./run.ts";

/** The real machine: files on disk, tools run for real, output on stdout. */
export const denoServiceIo: ServiceIo = {
  run: runCommand,
  mkdir: (path) => Deno.mkdir(path, { recursive: true }),
  async writeTextFile(path, content) {
    await Deno.mkdir(dirname(path), { recursive: true });
    await Deno.writeTextFile(path, content);
  },
  remove: (path) =>
    Deno.remove(path).catch((error) => {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }),
  print: (line) => console.log(line),
};

/** `neuromesh service …` as main.ts dispatches it: the node of this invocation, as a service. */
export async function serviceCli(
  invocation: Invocation,
  io: ServiceIo = denoServiceIo,
): Promise<number> {
  const env = (name: string) => Deno.env.get(name);
  const dataDir = resolve(invocation.config.dataDir);
  const argv = [
    ...launchCommand(await currentProcessFacts()),
    ...serviceNodeArgs(invocation.config, invocation.explicit, (path) => resolve(path)),
  ];
  return await runServiceCommand(invocation.command[1], {
    host: {
      os: Deno.build.os,
      home: env("HOME") ?? env("USERPROFILE") ?? ".",
      configHome: env("XDG_CONFIG_HOME") || undefined,
      user: env("USER") ?? env("USERNAME"),
    },
    spec: {
      argv,
      dataDir,
      logPath: `${dataDir}${Deno.build.os === "windows" ? "\\" : "/"}neuromesh.log`,
    },
    dryRun: invocation.extra["dry-run"] === true,
  }, io);
}
