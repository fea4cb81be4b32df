import { computed, signal } from "@preact/signals";
import { api } from "../api/client.ts";
import type { MeshModel } from "../api/types.ts";

const STORAGE_KEY = "neuromesh.model";

/** Every model some node of the mesh serves, and the one the person picked (null = Auto). */
export const meshModels = signal<MeshModel[]>([]);
export const selectedModel = signal<string | null>(readStoredModel());

/** The picked model when the mesh still has it; a vanished pick falls back to Auto. */
export const effectiveModel = computed(() => {
  const name = selectedModel.value;
  if (!name) return null;
  return meshModels.value.some((model) => model.name === name) ? name : null;
});

export async function loadModels(): Promise<void> {
  applyModels(await api.models());
}

export function applyModels(value: MeshModel[]): void {
  meshModels.value = [...value].sort((a, b) => a.name.localeCompare(b.name));
}

export function selectModel(name: string | null): void {
  selectedModel.value = name;
  try {
    if (name) localStorage.setItem(STORAGE_KEY, name);
    else localStorage.removeItem(STORAGE_KEY);
  } catch {
    // Storage may be disabled; the choice then lasts for this page only.
  }
}

function readStoredModel(): string | null {
  try {
    return globalThis.localStorage?.getItem(STORAGE_KEY) ?? null;
  } catch {
    return null;
  }
}
