/**
 * The commands that talk to a running node's API (no second node is started): `neuromesh ls`,
 * `ps`, `status` and `run MODEL [PROMPT]`. main.ts imports this module only for them, so starting
 * a node or `--version` does not load it.
 */
import type { Invocation } from "../config/from_process.ts";
import { ConfigError } from "../config/load.ts";
import { type ChatIo, runChat } from "./chat.ts";
import { NodeApiError, NodeClient, NodeUnreachable } from "./client.ts";
import { terminalIo } from "./io.ts";
import { runLs } from "./ls.ts";
import { runPs } from "./ps.ts";
import { runStatus } from "./status.ts";
import { nodeTarget } from "./target.ts";

export const CLIENT_COMMANDS = ["ls", "ps", "status", "run"] as const;

export type CliIo = ChatIo & { print(line: string): void };

/** Runs one client command; a node that is not there or refuses is one line on stderr, exit 1. */
export async function clientCommand(
  invocation: Pick<Invocation, "command" | "config" | "extra">,
  io: CliIo = terminalIo,
): Promise<number> {
  const [command, ...args] = invocation.command;
  const host = invocation.extra.host;
  let client: NodeClient;
  try {
    client = new NodeClient(
      nodeTarget(invocation.config, typeof host === "string" ? host : undefined),
    );
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
  if (command !== "run" && args.length > 0) {
    throw new ConfigError(`usage: neuromesh ${command} [--host URL] (unexpected "${args[0]}")`);
  }
  try {
    switch (command) {
      case "ls":
        return await runLs(client, io.print);
      case "ps":
        return await runPs(client, io.print);
      case "status":
        return await runStatus(client, io.print);
      case "run": {
        const [model, ...prompt] = args;
        if (!model) throw new ConfigError("usage: neuromesh run MODEL [PROMPT]");
        return await runChat(client, model, prompt.length ? prompt.join(" ") : null, io);
      }
      default:
        throw new ConfigError(`unknown command "${command}" (see --help)`);
    }
  } catch (error) {
    if (error instanceof NodeUnreachable || error instanceof NodeApiError) {
      io.error(`neuromesh: ${error.message}`);
      return 1;
    }
    throw error;
  }
}
