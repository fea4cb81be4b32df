import { type ReadonlySignal, signal } from "@preact/signals";
import type { PickStorage } from "./mesh_models.ts";

const MODEL_TITLES_KEY = "neuromesh.modelTitles";

const browserStorage: PickStorage = {
  getItem: (key) => globalThis.localStorage?.getItem(key) ?? null,
  setItem: (key, value) => localStorage.setItem(key, value),
  removeItem: (key) => localStorage.removeItem(key),
};

/** Chat preferences of this browser (Settings → Chats). */
export interface ChatPrefsModel {
  /** A new chat is retitled by the model once its first answer is in. Off by default. */
  readonly modelTitles: ReadonlySignal<boolean>;
  setModelTitles(on: boolean): void;
}

export function createChatPrefsModel(
  { storage = browserStorage }: { storage?: PickStorage } = {},
): ChatPrefsModel {
  let stored: string | null = null;
  try {
    stored = storage.getItem(MODEL_TITLES_KEY);
  } catch { /* storage disabled: defaults apply */ }
  const modelTitles = signal(stored === "on");
  return {
    modelTitles,
    setModelTitles(on) {
      modelTitles.value = on;
      try {
        if (on) storage.setItem(MODEL_TITLES_KEY, "on");
        else storage.removeItem(MODEL_TITLES_KEY);
      } catch { /* lasts for this page only */ }
    },
  };
}
