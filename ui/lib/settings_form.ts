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

/** Each field's name as the form shows it, for messages about it. */
export const FIELD_LABELS: Record<keyof SettingsForm, string> = {
  name: "Display name",
  sharing: "Share with the mesh",
  allowCidr: "Allowed networks",
  blockCidr: "Blocked networks",
  ollamaUrl: "Ollama URL",
  rateLimit: "Rate limit",
  capacity: "Capacity",
  trustMode: "Who may join",
  allowNodeId: "Always allowed devices",
  blockNodeId: "Blocked devices",
};

/** A value of one field that cannot be saved; the page shows it beside that field. */
export class SettingsFieldError extends Error {
  constructor(readonly field: keyof SettingsForm, message: string) {
    super(message);
    this.name = "SettingsFieldError";
  }
}

/** A problem to show: at a field, or (field null) for the whole form. */
export type FieldProblem = { field: keyof SettingsForm | null; text: string };

const isField = (key: string): key is keyof SettingsForm => key in FIELD_LABELS;

/**
 * The node's refusal of a save (`blockCidr.0: must be a CIDR such as 192.168.1.0/24`, or a
 * sentence about the trust mode) as words for the person, placed at the field it is about: the
 * field's label instead of its key, and the entry it means instead of an index.
 */
export function fieldProblem(message: string, sent: Partial<Settings>): FieldProblem {
  const match = /^([A-Za-z]+)(?:\.(\d+))?: (.*)$/s.exec(message);
  if (match && isField(match[1])) {
    const field = match[1];
    const index = match[2] === undefined ? undefined : Number(match[2]);
    const entries = (sent as Record<string, unknown>)[field];
    const entry = index !== undefined && Array.isArray(entries) ? entries[index] : undefined;
    const which = entry === undefined ? "" : ` “${entry}” (line ${index! + 1})`;
    return { field, text: `${FIELD_LABELS[field]}:${which} ${match[3]}` };
  }
  // A refusal without a field names none: the only field sent, or the trust mode it concerns.
  const keys = Object.keys(sent).filter(isField);
  if (keys.length === 1) return { field: keys[0], text: message };
  if (keys.includes("trustMode")) return { field: "trustMode", text: message };
  return { field: null, text: message };
}

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

function positiveInt(text: string, field: "rateLimit" | "capacity"): number {
  const value = Number(text.trim());
  if (text.trim() === "" || !Number.isInteger(value) || value <= 0) {
    throw new SettingsFieldError(
      field,
      `${FIELD_LABELS[field]} must be a whole number above 0, not "${text.trim()}"`,
    );
  }
  return value;
}

/** A node id is 32 characters of A–Z and 2–7 once dashes are taken out. */
function checkNodeIds(ids: string[], field: "allowNodeId" | "blockNodeId"): string[] {
  ids.forEach((id, i) => {
    if (!/^[A-Z2-7]{32}$/.test(id)) {
      throw new SettingsFieldError(
        field,
        `${FIELD_LABELS[field]}: “${id}” (line ${i + 1}) is not a node id ` +
          "(32 characters, A–Z and 2–7, as the Mesh view shows it)",
      );
    }
  });
  return ids;
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
  if (!name) throw new SettingsFieldError("name", "Display name must not be empty");
  if (name !== saved.name) patch.name = name;
  if (form.sharing !== saved.sharing) patch.sharing = form.sharing;
  const allow = parseList(form.allowCidr);
  if (!sameList(allow, saved.allowCidr)) patch.allowCidr = allow;
  const block = parseList(form.blockCidr);
  if (!sameList(block, saved.blockCidr)) patch.blockCidr = block;
  const url = form.ollamaUrl.trim();
  if (!/^https?:\/\/\S+$/.test(url)) {
    throw new SettingsFieldError(
      "ollamaUrl",
      `Ollama URL must start with http:// or https://, not "${url}"`,
    );
  }
  if (url !== saved.ollamaUrl) patch.ollamaUrl = url;
  const rateLimit = positiveInt(form.rateLimit, "rateLimit");
  if (rateLimit !== saved.rateLimit) patch.rateLimit = rateLimit;
  const capacity = positiveInt(form.capacity, "capacity");
  if (capacity !== saved.capacity) patch.capacity = capacity;
  if (form.trustMode !== saved.trustMode) patch.trustMode = form.trustMode;
  // Ids are shown in groups (ABCDEFG-HIJKLMN…): accept them pasted with dashes or lower case.
  const allowIds = checkNodeIds(parseList(form.allowNodeId).map(normalizeNodeId), "allowNodeId");
  if (!sameList(allowIds, saved.allowNodeId)) patch.allowNodeId = allowIds;
  const blockIds = checkNodeIds(parseList(form.blockNodeId).map(normalizeNodeId), "blockNodeId");
  if (!sameList(blockIds, saved.blockNodeId)) patch.blockNodeId = blockIds;
  return patch;
}
