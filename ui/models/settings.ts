import { type ReadonlySignal, signal } from "@preact/signals";
import { errorText } from "../lib/errors.ts";
import { api as httpApi, type NodeApi } from "../api/client.ts";
import type { Settings } from "../api/types.ts";

export type SaveState =
  | { kind: "idle" }
  | { kind: "saving" }
  | { kind: "saved" }
  | { kind: "error"; message: string };

export type SettingsApi = Pick<NodeApi, "settings" | "saveSettings">;

/** The node's editable settings (GET/PATCH /api/settings) and the state of the last save. */
export interface SettingsModel {
  /** As the node has them; null until read. */
  readonly saved: ReadonlySignal<Settings | null>;
  readonly loadError: ReadonlySignal<string | null>;
  readonly saveState: ReadonlySignal<SaveState>;
  loadSettings(): Promise<void>;
  /** Sends the changed fields; resolves true when the node took them. */
  saveSettings(patch: Partial<Settings>): Promise<boolean>;
  /** Forgets the last save's outcome (the view was opened again). */
  resetSaveState(): void;
  /** The form was edited: the last outcome no longer applies, unless a save is still running. */
  dismissSaveOutcome(): void;
}

export function createSettingsModel(
  { api = httpApi }: { api?: SettingsApi } = {},
): SettingsModel {
  const saved = signal<Settings | null>(null);
  const loadError = signal<string | null>(null);
  const saveState = signal<SaveState>({ kind: "idle" });
  return {
    saved,
    loadError,
    saveState,
    async loadSettings() {
      try {
        saved.value = await api.settings();
        loadError.value = null;
      } catch (error) {
        loadError.value = errorText(error);
      }
    },
    async saveSettings(patch) {
      saveState.value = { kind: "saving" };
      try {
        saved.value = await api.saveSettings(patch);
        saveState.value = { kind: "saved" };
        return true;
      } catch (error) {
        saveState.value = { kind: "error", message: errorText(error) };
        return false;
      }
    },
    resetSaveState() {
      saveState.value = { kind: "idle" };
    },
    dismissSaveOutcome() {
      if (saveState.value.kind !== "saving") saveState.value = { kind: "idle" };
    },
  };
}
