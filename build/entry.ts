/**
 * Entry point of the bundle and the compiled executables: main.ts with its command modules named
 * as literal imports, so `deno bundle` and `deno compile` include them (main.ts computes its
 * specifiers for a fast `deno run`, which these tools cannot follow). Each stays lazy: the
 * bundler turns a dynamic import into code that runs when called.
 */
import { type CommandModules, runProcess } from "../main.ts";

export const BUNDLED_MODULES: CommandModules = {
  config: () => import("../core/config/from_process.ts"),
  help: () => import("../core/cli/help.ts"),
  node: () => import("../core/node/run.ts"),
  client: () => import("../core/cli/commands.ts"),
  exportConversations: () => import("../core/conversations/legacy_export.ts"),
  importConversations: () => import("../core/conversations/legacy_import.ts"),
  service: () => import("../core/service/cli.ts"),
  firewall: () => import("../core/firewall/cli.ts"),
};

if (import.meta.main) await runProcess(BUNDLED_MODULES);
