import { parseArgs } from "node:util";
import { z } from "zod";
import { type Config, ConfigSchema } from "./schema.ts";

import { ConfigError } from "./config_error.ts";

export { ConfigError };

type Key = keyof Config;
const KEYS = Object.keys(ConfigSchema.shape) as Key[];
const REPEATABLE = new Set<Key>([
  "peer",
  "interface",
  "broadcast",
  "allowCidr",
  "blockCidr",
  "allowNodeId",
  "blockNodeId",
  "allowOrigin",
]);
/** Switches: `--include-loopback` turns one on, `--no-discovery` turns one off. */
const BOOLEAN_KEYS = new Set<Key>(
  KEYS.filter((key) => typeof ConfigSchema.shape[key].safeParse(undefined).data === "boolean"),
);

export const kebab = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const camel = (flag: string) => flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
const envName = (key: string) => `NEUROMESH_${kebab(key).replaceAll("-", "_").toUpperCase()}`;

export interface ParsedCommandLine {
  command: string[];
  flags: Partial<Record<Key, unknown>>;
  configFile?: string;
  help: boolean;
  version: boolean;
  extra: Record<string, string | boolean>;
}

/**
 * Parses `neuromesh [command…] [--setting value…]`. Every config key is a kebab-case flag;
 * boolean settings also accept `--no-<flag>`. Subcommand options land in `extra`: switches
 * (`extraFlags`, e.g. `--dry-run`) and options with a value (`extraValueFlags`, e.g. `--host URL`).
 */
export function parseCommandLine(
  args: string[],
  extraFlags: string[] = [],
  extraValueFlags: string[] = [],
): ParsedCommandLine {
  const options: Record<
    string,
    { type: "string" | "boolean"; multiple?: boolean; short?: string }
  > = {
    help: { type: "boolean", short: "h" },
    version: { type: "boolean", short: "V" },
    config: { type: "string" },
  };
  for (const key of KEYS) {
    options[kebab(key)] = BOOLEAN_KEYS.has(key)
      ? { type: "boolean" }
      : { type: "string", multiple: REPEATABLE.has(key) };
    if (BOOLEAN_KEYS.has(key)) options[`no-${kebab(key)}`] = { type: "boolean" };
  }
  for (const flag of extraFlags) options[flag] = { type: "boolean" };
  for (const flag of extraValueFlags) options[flag] = { type: "string" };
  // `--sharing=false` reads as `--no-sharing`, `--include-loopback=true` as the bare switch.
  const switches = args.map((arg) => {
    const match = /^--([a-z-]+)=(true|false|yes|no|1|0)$/.exec(arg);
    if (!match || !BOOLEAN_KEYS.has(camel(match[1]) as Key)) return arg;
    return ["true", "yes", "1"].includes(match[2]) ? `--${match[1]}` : `--no-${match[1]}`;
  });
  let parsed;
  try {
    parsed = parseArgs({ args: switches, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new ConfigError(`${(error as Error).message.split("\n")[0]} (see --help)`);
  }
  const flags: Partial<Record<Key, unknown>> = {};
  const extra: Record<string, string | boolean> = {};
  for (const [name, value] of Object.entries(parsed.values)) {
    if (name === "help" || name === "version" || name === "config") continue;
    if (extraFlags.includes(name) || extraValueFlags.includes(name)) {
      extra[name] = value as boolean | string;
    } else if (name.startsWith("no-")) {
      flags[camel(name.slice(3)) as Key] = false;
    } else {
      flags[camel(name) as Key] = value;
    }
  }
  return {
    command: parsed.positionals,
    flags,
    configFile: parsed.values.config as string | undefined,
    help: Boolean(parsed.values.help),
    version: Boolean(parsed.values.version),
    extra,
  };
}

/** Reads `NEUROMESH_<SETTING>` variables (e.g. NEUROMESH_HTTP_PORT). */
export function readEnv(get: (name: string) => string | undefined): Partial<Record<Key, unknown>> {
  const out: Partial<Record<Key, unknown>> = {};
  for (const key of KEYS) {
    const value = get(envName(key));
    if (value !== undefined) out[key] = value;
  }
  return out;
}

const FileSchema = z.record(z.string(), z.unknown());

/** Loads a JSON config file whose keys are the settings in camelCase or kebab-case. */
export function parseConfigFile(text: string, path: string): Partial<Record<Key, unknown>> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`config file ${path}: not valid JSON (${(error as Error).message})`);
  }
  const parsed = FileSchema.safeParse(json);
  if (!parsed.success) throw new ConfigError(`config file ${path}: must be a JSON object`);
  const out: Partial<Record<Key, unknown>> = {};
  for (const [name, value] of Object.entries(parsed.data)) {
    const key = camel(name) as Key;
    if (!KEYS.includes(key)) {
      throw new ConfigError(`config file ${path}: unknown setting "${name}"`);
    }
    out[key] = value;
  }
  return out;
}

/** Layers file < environment < flags, then validates; the first bad value names its setting. */
export function resolveConfig(
  ...layers: Partial<Record<Key, unknown>>[]
): Config {
  const merged = Object.assign({}, ...layers);
  const result = ConfigSchema.safeParse(merged);
  if (!result.success) {
    const issue = result.error.issues[0];
    const key = String(issue.path[0] ?? "");
    const shown = key in merged ? ` (got ${JSON.stringify(merged[key])})` : "";
    throw new ConfigError(`invalid setting --${kebab(key)}: ${issue.message}${shown}`);
  }
  return result.data;
}

export { envName };
