import type { Settings, TrustMode } from "../api/types.ts";

/** The settings form as typed: lists as one entry per line, numbers as text. */
export type SettingsForm = {
  name: string;
  sharing: boolean;
  allowCidr: string;
  blockCidr: string;
  ollamaUrl: string;
  rateLimit: string;
  capacity: string;
  trustMode: TrustMode;
  allowNodeId: string;
  blockNodeId: string;
};

export function toForm(settings: Settings): SettingsForm {
  return {
    name: settings.name,
    sharing: settings.sharing,
    allowCidr: settings.allowCidr.join("\n"),
    blockCidr: settings.blockCidr.join("\n"),
    ollamaUrl: settings.ollamaUrl,
    rateLimit: String(settings.rateLimit),
    capacity: String(settings.capacity),
    trustMode: settings.trustMode,
    allowNodeId: settings.allowNodeId.join("\n"),
    blockNodeId: settings.blockNodeId.join("\n"),
  };
}

/** Entries separated by new lines, commas or spaces. */
export function parseList(text: string): string[] {
  return text.split(/[\s,]+/).map((item) => item.trim()).filter(Boolean);
}

/** A node id as the node expects it: upper case, without the dashes of its grouped form. */
export function normalizeNodeId(text: string): string {
  return text.replaceAll("-", "").toUpperCase();
}

function positiveInt(text: string, label: string): number {
  const value = Number(text.trim());
  if (!Number.isInteger(value) || value <= 0) {
    throw new Error(`${label} must be a whole number above 0, not "${text.trim()}"`);
  }
  return value;
}

const sameList = (a: string[], b: string[]) =>
  a.length === b.length && a.every((v, i) => v === b[i]);

/**
 * Only what changed, so saving never rewrites a value someone else changed meanwhile. Throws
 * with a readable message on values the server would refuse for sure; it checks the rest.
 */
export function settingsPatch(saved: Settings, form: SettingsForm): Partial<Settings> {
  const patch: Partial<Settings> = {};
  const name = form.name.trim();
  if (!name) throw new Error("Display name must not be empty");
  if (name !== saved.name) patch.name = name;
  if (form.sharing !== saved.sharing) patch.sharing = form.sharing;
  const allow = parseList(form.allowCidr);
  if (!sameList(allow, saved.allowCidr)) patch.allowCidr = allow;
  const block = parseList(form.blockCidr);
  if (!sameList(block, saved.blockCidr)) patch.blockCidr = block;
  const url = form.ollamaUrl.trim();
  if (!/^https?:\/\/\S+$/.test(url)) {
    throw new Error(`Ollama URL must start with http:// or https://, not "${url}"`);
  }
  if (url !== saved.ollamaUrl) patch.ollamaUrl = url;
  const rateLimit = positiveInt(form.rateLimit, "Rate limit");
  if (rateLimit !== saved.rateLimit) patch.rateLimit = rateLimit;
  const capacity = positiveInt(form.capacity, "Capacity");
  if (capacity !== saved.capacity) patch.capacity = capacity;
  if (form.trustMode !== saved.trustMode) patch.trustMode = form.trustMode;
  // Ids are shown in groups (ABCDEFG-HIJKLMN…): accept them pasted with dashes or lower case.
  const allowIds = parseList(form.allowNodeId).map(normalizeNodeId);
  if (!sameList(allowIds, saved.allowNodeId)) patch.allowNodeId = allowIds;
  const blockIds = parseList(form.blockNodeId).map(normalizeNodeId);
  if (!sameList(blockIds, saved.blockNodeId)) patch.blockNodeId = blockIds;
  return patch;
}
