import { kebab } from "../config/load.ts";
import { type Config } from "../config/schema.ts";

/**
 * The settings flags a service passes to its node: the settings given explicitly on this command
 * (flags, NEUROMESH_* variables, config file) with their resolved values, an absolute data dir,
 * and `--no-open` since a background service must not open a browser.
 */
export function serviceNodeArgs(
  config: Config,
  explicit: ReadonlySet<string>,
  absolute: (path: string) => string,
): string[] {
  const args: string[] = [];
  for (const key of Object.keys(config) as (keyof Config)[]) {
    const value = config[key];
    if (!explicit.has(key) || key === "dataDir" || key === "open" || value === undefined) continue;
    const flag = `--${kebab(key)}`;
    if (value === false) args.push(`--no-${kebab(key)}`);
    else if (Array.isArray(value)) args.push(...value.map((item) => `${flag}=${item}`));
    else if (key === "httpSocket") args.push(`${flag}=${absolute(String(value))}`);
    else args.push(`${flag}=${value}`);
  }
  return [...args, `--data-dir=${absolute(config.dataDir)}`, "--no-open"];
}
