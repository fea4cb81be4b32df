/**
 * NeuroMesh entry point: parses the command and hands off. The node itself is composed in
 * core/node/ (start.ts); subcommands live beside it in core/.
 */
import { ConfigError } from "./core/config/load.ts";
import { invocationFromProcess } from "./core/config/from_process.ts";
import { helpText } from "./core/cli/help.ts";
import { APP_VERSION } from "./core/version.ts";
import { runNode } from "./core/node/run.ts";
import { runExport } from "./core/conversations/legacy_export.ts";
import { importReport, runImport } from "./core/conversations/legacy_import.ts";
import { serviceCli } from "./core/service/cli.ts";
import { firewallCli } from "./core/firewall/cli.ts";

async function main(args: string[]): Promise<number> {
  const invocation = await invocationFromProcess(args);
  if (invocation.help) {
    console.log(helpText());
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
      if (rest.length === 0) return await runNode(invocation);
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
        const result = await runExport(dataDir, dir);
        console.log(
          `exported ${result.local} local and ${result.received} received conversations ` +
            `(${result.messages} messages) to ${dir}`,
        );
      } else {
        const report = importReport(await runImport(dataDir, dir), dir);
        for (const line of report.problems) console.error(line);
        for (const line of report.lines) console.log(line);
      }
      return 0;
    }
    case "service":
      return await serviceCli(invocation);
    case "firewall":
      return await firewallCli(invocation);
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
