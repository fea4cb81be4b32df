import { type Config } from "./schema.ts";
import { ConfigError, parseCommandLine, parseConfigFile, readEnv, resolveConfig } from "./load.ts";

export interface Invocation {
  command: string[];
  config: Config;
  /** Settings given explicitly on this start (flags, environment, config file). */
  explicit: Set<keyof Config>;
  help: boolean;
  version: boolean;
  extra: Record<string, string | boolean>;
}

/** Subcommand switches that are not settings. */
export const EXTRA_FLAGS = ["dry-run", "apply"];
/** Subcommand options with a value: `--host URL` (the node `ls`, `ps`, `status`, `run` talk to). */
export const EXTRA_VALUE_FLAGS = ["host"];

/** Reads the command line, NEUROMESH_* variables and the optional config file into one Config. */
export async function invocationFromProcess(
  args: string[],
  env: (name: string) => string | undefined = (name) => Deno.env.get(name),
): Promise<Invocation> {
  const cli = parseCommandLine(args, EXTRA_FLAGS, EXTRA_VALUE_FLAGS);
  const configPath = cli.configFile ?? env("NEUROMESH_CONFIG");
  let file = {};
  if (configPath) {
    let text: string;
    try {
      text = await Deno.readTextFile(configPath);
    } catch (error) {
      throw new ConfigError(`config file ${configPath}: ${(error as Error).message}`);
    }
    file = parseConfigFile(text, configPath);
  }
  const fromEnv = readEnv(env);
  const config = resolveConfig(file, fromEnv, cli.flags);
  const explicit = new Set(
    [...Object.keys(file), ...Object.keys(fromEnv), ...Object.keys(cli.flags)] as (keyof Config)[],
  );
  return {
    command: cli.command,
    config,
    explicit,
    help: cli.help,
    version: cli.version,
    extra: cli.extra,
  };
}
