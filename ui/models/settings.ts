import { signal } from "@preact/signals";
import { api } from "../api/client.ts";
import type { Settings } from "../api/types.ts";

export type SaveState =
  | { kind: "idle" }
  | { kind: "saving" }
  | { kind: "saved" }
  | { kind: "error"; message: string };

/** The node's editable settings (GET/PATCH /api/settings). */
export const settings = signal<Settings | null>(null);
export const settingsLoadError = signal<string | null>(null);
export const saveState = signal<SaveState>({ kind: "idle" });

export async function loadSettings(): Promise<void> {
  try {
    settings.value = await api.settings();
    settingsLoadError.value = null;
  } catch (error) {
    settingsLoadError.value = error instanceof Error ? error.message : String(error);
  }
}

export async function saveSettings(patch: Partial<Settings>): Promise<boolean> {
  saveState.value = { kind: "saving" };
  try {
    settings.value = await api.saveSettings(patch);
    saveState.value = { kind: "saved" };
    return true;
  } catch (error) {
    saveState.value = {
      kind: "error",
      message: error instanceof Error ? error.message : String(error),
    };
    return false;
  }
}
