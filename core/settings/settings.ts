import { z } from "zod";
import { CidrText } from "../net/cidr_schema.ts";
import { TRUST_MODES } from "../security/trust_policy.ts";

const cidr = CidrText;

const nodeId = z.string().regex(/^[A-Z2-7]{32}$/, "must be a 32-character node id (A-Z, 2-7)");

/** Settings a user may change at run time from the page; saved in `<dataDir>/settings.json`. */
export const Settings = z.object({
  name: z.string().trim().min(1, "must not be empty").max(64),
  sharing: z.boolean(),
  allowCidr: z.array(cidr).max(256),
  blockCidr: z.array(cidr).max(256),
  ollamaUrl: z.string().url().refine((u) => /^https?:\/\//.test(u), "must be an http(s) URL"),
  rateLimit: z.number().int().min(1).max(100_000),
  capacity: z.number().int().min(1).max(1024),
  /** Who may link (core/security/trust_policy.ts). */
  trustMode: z.enum(TRUST_MODES),
  /** Node ids let in without approval or mesh key. */
  allowNodeId: z.array(nodeId).max(1024),
  /** Node ids refused in every mode. */
  blockNodeId: z.array(nodeId).max(1024),
});
export type Settings = z.infer<typeof Settings>;
export const SettingsPatch = Settings.partial().strict();
export type SettingsPatch = z.infer<typeof SettingsPatch>;

/**
 * Holds the effective settings, persists changes atomically and tells listeners, so each
 * module applies a change without a restart.
 */
/** An update the node cannot apply (e.g. mesh-key mode without a mesh key): a 400, not a 500. */
export class SettingsRejected extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SettingsRejected";
  }
}

/** Checks a whole new set of settings against what only the node knows; a reason or null. */
export type SettingsCheck = (next: Settings) => string | null;

export class SettingsStore {
  #current: Settings;
  #listeners = new Set<(next: Settings, previous: Settings) => void>();
  #check: SettingsCheck;

  private constructor(private readonly path: string, initial: Settings, check: SettingsCheck) {
    this.#current = initial;
    this.#check = check;
  }

  /**
   * `base` comes from defaults, the config file, environment and flags; saved settings fill in
   * only what was not given explicitly on this start (`explicit`), so a flag always wins.
   */
  static async open(
    dataDir: string,
    base: Settings,
    explicit: ReadonlySet<keyof Settings>,
    check: SettingsCheck = () => null,
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
    // A saved value this start cannot honour (mesh-key mode, key no longer given) falls back.
    for (const key of Object.keys(saved) as (keyof Settings)[]) {
      if (check(merged) === null) break;
      (merged as Record<string, unknown>)[key] = base[key];
    }
    return new SettingsStore(path, merged, check);
  }

  get current(): Settings {
    return this.#current;
  }

  async update(patch: SettingsPatch): Promise<Settings> {
    const previous = this.#current;
    const next = Settings.parse({ ...previous, ...patch });
    const refusal = this.#check(next);
    if (refusal !== null) throw new SettingsRejected(refusal);
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
