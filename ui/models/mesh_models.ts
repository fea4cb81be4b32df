import { computed, type ReadonlySignal, signal } from "@preact/signals";
import { api as httpApi, type NodeApi } from "../api/client.ts";
import type { MeshModel } from "../api/types.ts";

const STORAGE_KEY = "neuromesh.model";

export type MeshModelsApi = Pick<NodeApi, "models">;
/** Where the pick is kept between visits (the browser's localStorage by default). */
export type PickStorage = Pick<Storage, "getItem" | "setItem" | "removeItem">;

/** localStorage, looked up at each use: reading it throws where the browser disables storage. */
const browserStorage: PickStorage = {
  getItem: (key) => globalThis.localStorage?.getItem(key) ?? null,
  setItem: (key, value) => localStorage.setItem(key, value),
  removeItem: (key) => localStorage.removeItem(key),
};

/** Every model some node of the mesh serves, and the one the person picked (null = Auto). */
export interface MeshModelsModel {
  /** By name. */
  readonly list: ReadonlySignal<MeshModel[]>;
  readonly selectedModel: ReadonlySignal<string | null>;
  /** The picked model when the mesh still has it; a vanished pick falls back to Auto. */
  readonly effectiveModel: ReadonlySignal<string | null>;
  /** A model was picked but the mesh does not serve it now. */
  readonly selectionMissing: ReadonlySignal<boolean>;
  /** How many devices host at least one model. */
  readonly hostCount: ReadonlySignal<number>;
  loadModels(): Promise<void>;
  applyModels(value: MeshModel[]): void;
  selectModel(name: string | null): void;
}

export function createMeshModelsModel(
  { api = httpApi, storage = browserStorage }: {
    api?: MeshModelsApi;
    storage?: PickStorage;
  } = {},
): MeshModelsModel {
  const list = signal<MeshModel[]>([]);
  const selectedModel = signal<string | null>(readStoredModel(storage));
  const effectiveModel = computed(() => {
    const name = selectedModel.value;
    if (!name) return null;
    return list.value.some((model) => model.name === name) ? name : null;
  });
  const applyModels = (value: MeshModel[]) => {
    list.value = [...value].sort((a, b) => a.name.localeCompare(b.name));
  };
  return {
    list,
    selectedModel,
    effectiveModel,
    selectionMissing: computed(() => selectedModel.value !== null && effectiveModel.value === null),
    hostCount: computed(() =>
      new Set(list.value.flatMap((model) => model.hosts.map((host) => host.nodeId))).size
    ),
    async loadModels() {
      applyModels(await api.models());
    },
    applyModels,
    selectModel(name) {
      selectedModel.value = name;
      try {
        if (name) storage.setItem(STORAGE_KEY, name);
        else storage.removeItem(STORAGE_KEY);
      } catch {
        // Storage may be disabled; the choice then lasts for this page only.
      }
    },
  };
}

function readStoredModel(storage: PickStorage): string | null {
  try {
    return storage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}
