/**
 * What a change of the settings asks of the running node, decided without I/O: the effects to
 * apply, in order. The node's reactions apply them (core/node/reactions.ts).
 */
import type { Settings } from "../settings/settings.ts";

export type SettingsEffect =
  /** Trust mode or node lists changed: links to nodes no longer trusted are dropped. */
  | { kind: "drop_untrusted" }
  /** The node was renamed: links carry the new name, discovery announces it at once. */
  | { kind: "rename"; name: string }
  /** Address ranges changed: links apply the new ones (discovery reads them live). */
  | { kind: "access_lists" }
  /** Capacity, rate limit, ranges or name changed: LLM sharing applies them and re-announces. */
  | { kind: "llm_settings" }
  /** Another Ollama URL: LLM sharing switches to that backend and probes it. */
  | { kind: "switch_backend"; ollamaUrl: string }
  /** Sharing was turned on: pull from and offer to every peer now. */
  | { kind: "sync_now" }
  /** The page is told the node's new status. */
  | { kind: "publish_node" };

const TRUST: (keyof Settings)[] = ["trustMode", "allowNodeId", "blockNodeId"];
const RANGES: (keyof Settings)[] = ["allowCidr", "blockCidr"];
const LLM: (keyof Settings)[] = ["name", ...RANGES, "rateLimit", "capacity"];

/** The effects of going from `previous` to `next`, in the order they are applied. */
export function settingsEffects(previous: Settings, next: Settings): SettingsEffect[] {
  const changed = (keys: (keyof Settings)[]) =>
    keys.some((key) => !sameValue(previous[key], next[key]));
  const effects: SettingsEffect[] = [];
  if (changed(TRUST)) effects.push({ kind: "drop_untrusted" });
  if (changed(["name"])) effects.push({ kind: "rename", name: next.name });
  if (changed(RANGES)) effects.push({ kind: "access_lists" });
  if (changed(LLM)) effects.push({ kind: "llm_settings" });
  if (changed(["ollamaUrl"])) effects.push({ kind: "switch_backend", ollamaUrl: next.ollamaUrl });
  if (next.sharing && !previous.sharing) effects.push({ kind: "sync_now" });
  effects.push({ kind: "publish_node" });
  return effects;
}

/** Equal values, lists compared item by item (settings are parsed anew on every update). */
function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => item === b[i]);
  }
  return a === b;
}
