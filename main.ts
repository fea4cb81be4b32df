/**
 * NeuroMesh entry point: parses the command and hands off. The node itself is composed in
 * core/node/ (start.ts); subcommands live beside it in core/.
 */
import { ConfigError } from "./core/config/config_error.ts";
import { APP_VERSION } from "./core/version.ts";

/**
 * Every command imports its code when called, so `--version` and `--help` load nothing else
 * and a client command never loads the node.
 */
async function main(args: string[]): Promise<number> {
  // Answered before the config is parsed: they need none of it.
  if (args.length === 1 && (args[0] === "--version" || args[0] === "-V")) {
    console.log(`neuromesh ${APP_VERSION}`);
    return 0;
  }
  const { invocationFromProcess } = await import("./core/config/from_process.ts");
  const invocation = await invocationFromProcess(args);
  if (invocation.help) {
    console.log((await import("./core/cli/help.ts")).helpText());
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
      if (rest.length === 0) return await (await import("./core/node/run.ts")).runNode(invocation);
      return await (await import("./core/cli/commands.ts")).clientCommand(invocation);
    case "ls":
    case "ps":
    case "status":
      return await (await import("./core/cli/commands.ts")).clientCommand(invocation);
    case "export":
    case "import": {
      const [dir, ...more] = rest;
      if (!dir || more.length) throw new ConfigError(`usage: neuromesh ${command} DIR`);
      const dataDir = invocation.config.dataDir;
      if (command === "export") {
        const { runExport } = await import("./core/conversations/legacy_export.ts");
        const result = await runExport(dataDir, dir);
        console.log(
          `exported ${result.local} local and ${result.received} received conversations ` +
            `(${result.messages} messages) to ${dir}`,
        );
      } else {
        const { importReport, runImport } = await import("./core/conversations/legacy_import.ts");
        const report = importReport(await runImport(dataDir, dir), dir);
        for (const line of report.problems) console.error(line);
        for (const line of report.lines) console.log(line);
      }
      return 0;
    }
    case "service":
      return await (await import("./core/service/cli.ts")).serviceCli(invocation);
    case "firewall":
      return await (await import("./core/firewall/cli.ts")).firewallCli(invocation);
    default:
      throw new ConfigError(`unknown command "${command}" (see --help)`);
  }
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`neuromesh: ${error.message}`);
      Deno.exit(2);
    }
    console.error(`neuromesh: ${(error as Error).message}`);
    Deno.exit(1);
  }
}
