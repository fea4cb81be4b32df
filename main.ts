/**
 * NeuroMesh entry point: parses the command and hands off. The node itself is composed in
 * core/node/ (start.ts); subcommands live beside it in core/.
 */
import { ConfigError } from "./core/config/config_error.ts";
import { APP_VERSION } from "./core/version.ts";

/**
 * The code of each command, loaded only when that command runs. Two tables fill it: the source
 * one below (`deno run main.ts`) and build/entry.ts (bundle and compile), which names the same
 * files as literal imports so the bundler inlines them.
 */
export interface CommandModules {
  config(): Promise<typeof import("./core/config/from_process.ts")>;
  help(): Promise<typeof import("./core/cli/help.ts")>;
  node(): Promise<typeof import("./core/node/run.ts")>;
  client(): Promise<typeof import("./core/cli/commands.ts")>;
  exportConversations(): Promise<typeof import("./core/conversations/legacy_export.ts")>;
  importConversations(): Promise<typeof import("./core/conversations/legacy_import.ts")>;
  service(): Promise<typeof import("./core/service/cli.ts")>;
  firewall(): Promise<typeof import("./core/firewall/cli.ts")>;
}

/**
 * A module beside this file, by a computed URL. Deno builds the module graph of every literal
 * import before the first line runs, lazy ones included: for the whole node that was ~8 MB and
 * ~0.15 s spent before `--version` could answer. A computed specifier is resolved only when
 * called; the types above keep `deno check main.ts` checking every command.
 */
// deno-lint-ignore no-explicit-any
const beside = (path: string): Promise<any> => import(new URL(path, import.meta.url).href);

export const SOURCE_MODULES: CommandModules = {
  config: () => beside("./core/config/from_process.ts"),
  help: () => beside("./core/cli/help.ts"),
  node: () => beside("./core/node/run.ts"),
  client: () => beside("./core/cli/commands.ts"),
  exportConversations: () => beside("./core/conversations/legacy_export.ts"),
  importConversations: () => beside("./core/conversations/legacy_import.ts"),
  service: () => beside("./core/service/cli.ts"),
  firewall: () => beside("./core/firewall/cli.ts"),
};

const isOnly = (args: string[], ...flags: string[]) => args.length === 1 && flags.includes(args[0]);

/** Runs one command; returns the exit code. */
export async function main(args: string[], modules: CommandModules): Promise<number> {
  // Answered before the config is parsed: they need none of it.
  if (isOnly(args, "--version", "-V")) {
    console.log(`neuromesh ${APP_VERSION}`);
    return 0;
  }
  if (isOnly(args, "--help", "-h")) {
    console.log((await modules.help()).helpText());
    return 0;
  }
  const invocation = await (await modules.config()).invocationFromProcess(args);
  if (invocation.help) {
    console.log((await modules.help()).helpText());
    return 0;
  }
  if (invocation.version) {
    console.log(`neuromesh ${APP_VERSION}`);
    return 0;
  }
  const [command = "run", ...rest] = invocation.command;
  switch (command) {
    case "run":
      // `run` alone starts this node; `run MODEL [PROMPT]` asks the running one
      if (rest.length === 0) return await (await modules.node()).runNode(invocation);
      return await (await modules.client()).clientCommand(invocation);
    case "ls":
    case "ps":
    case "status":
      return await (await modules.client()).clientCommand(invocation);
    case "export":
    case "import": {
      const [dir, ...more] = rest;
      if (!dir || more.length) throw new ConfigError(`usage: neuromesh ${command} DIR`);
      const dataDir = invocation.config.dataDir;
      if (command === "export") {
        const { runExport } = await modules.exportConversations();
        const result = await runExport(dataDir, dir);
        console.log(
          `exported ${result.local} local and ${result.received} received conversations ` +
            `(${result.messages} messages) to ${dir}`,
        );
      } else {
        const { importReport, runImport } = await modules.importConversations();
        const report = importReport(await runImport(dataDir, dir), dir);
        for (const line of report.problems) console.error(line);
        for (const line of report.lines) console.log(line);
      }
      return 0;
    }
    case "service":
      return await (await modules.service()).serviceCli(invocation);
    case "firewall":
      return await (await modules.firewall()).firewallCli(invocation);
    default:
      throw new ConfigError(`unknown command "${command}" (see --help)`);
  }
}

/** The process around `main`: its exit code, and one line for an error (2 for a bad setting). */
export async function runProcess(modules: CommandModules): Promise<never> {
  try {
    Deno.exit(await main(Deno.args, modules));
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`neuromesh: ${error.message}`);
      Deno.exit(2);
    }
    console.error(`neuromesh: ${(error as Error).message}`);
    Deno.exit(1);
  }
}

if (import.meta.main) await runProcess(SOURCE_MODULES);
