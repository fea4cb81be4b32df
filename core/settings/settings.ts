import { z } from "zod";
import { parseCidr } from "../net/cidr.ts";

const cidr = z.string().refine((text) => {
  try {
    parseCidr(text);
    return true;
  } catch {
    return false;
  }
}, "must be a CIDR such as 192.168.1.0/24");

/** Settings a user may change at run time from the page; saved in `<dataDir>/settings.json`. */
export const Settings = z.object({
  name: z.string().trim().min(1, "must not be empty").max(64),
  sharing: z.boolean(),
  allowCidr: z.array(cidr).max(256),
  blockCidr: z.array(cidr).max(256),
  ollamaUrl: z.string().url().refine((u) => /^https?:\/\//.test(u), "must be an http(s) URL"),
  rateLimit: z.number().int().min(1).max(100_000),
  capacity: z.number().int().min(1).max(1024),
});
export type Settings = z.infer<typeof Settings>;
export const SettingsPatch = Settings.partial().strict();
export type SettingsPatch = z.infer<typeof SettingsPatch>;

/**
 * Holds the effective settings, persists changes atomically and tells listeners, so each
 * module applies a change without a restart.
 */
export class SettingsStore {
  #current: Settings;
  #listeners = new Set<(next: Settings, previous: Settings) => void>();

  private constructor(private readonly path: string, initial: Settings) {
    this.#current = initial;
  }

  /**
   * `base` comes from defaults, the config file, environment and flags; saved settings fill in
   * only what was not given explicitly on this start (`explicit`), so a flag always wins.
   */
  static async open(
    dataDir: string,
    base: Settings,
    explicit: ReadonlySet<keyof Settings>,
  ): Promise<SettingsStore> {
    const path = `${dataDir}/settings.json`;
    let saved: Partial<Settings> = {};
    try {
      const parsed = Settings.partial().safeParse(JSON.parse(await Deno.readTextFile(path)));
      if (parsed.success) saved = parsed.data;
    } catch { /* first start or unreadable: defaults */ }
    const merged = { ...base };
    for (const [key, value] of Object.entries(saved) as [keyof Settings, never][]) {
      if (!explicit.has(key)) merged[key] = value;
    }
    return new SettingsStore(path, merged);
  }

  get current(): Settings {
    return this.#current;
  }

  async update(patch: SettingsPatch): Promise<Settings> {
    const previous = this.#current;
    const next = Settings.parse({ ...previous, ...patch });
    const tmp = `${this.path}.tmp`;
    await Deno.writeTextFile(tmp, JSON.stringify(next, null, 2));
    await Deno.rename(tmp, this.path);
    this.#current = next;
    for (const listener of this.#listeners) listener(next, previous);
    return next;
  }

  onChange(listener: (next: Settings, previous: Settings) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
