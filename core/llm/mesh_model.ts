import type { BackendModel } from "./backend.ts";
import { normalizeModel } from "./router.ts";

/** One host of a model in the merged mesh list. */
export interface MeshModelHost {
  nodeId: string;
  name: string;
  local: boolean;
  inFlight: number;
  capacity: number;
  queued: number;
  healthy: boolean;
}

/** A model offered somewhere on the mesh, with every host that has it. */
export interface MeshModel extends BackendModel {
  hosts: MeshModelHost[];
}

export interface ModelOffer {
  host: MeshModelHost;
  models: readonly BackendModel[];
}

/**
 * Merges the hosts' model lists: one entry per model (`llama3` = `llama3:latest`), details
 * from the first offer that has them (put the local offer first), hosts local-first then by
 * name, models by name.
 */
export function mergeModels(offers: readonly ModelOffer[]): MeshModel[] {
  const merged = new Map<string, MeshModel>();
  for (const offer of offers) {
    for (const model of offer.models) {
      const key = normalizeModel(model.name);
      let entry = merged.get(key);
      if (!entry) merged.set(key, entry = { ...model, hosts: [] });
      entry.family ??= model.family;
      entry.parameterSize ??= model.parameterSize;
      entry.quantization ??= model.quantization;
      entry.digest ??= model.digest;
      entry.modifiedAt ??= model.modifiedAt;
      if (!entry.hosts.some((h) => h.nodeId === offer.host.nodeId)) {
        entry.hosts.push({ ...offer.host });
      }
    }
  }
  const models = [...merged.values()];
  for (const model of models) {
    model.hosts.sort((a, b) => Number(b.local) - Number(a.local) || a.name.localeCompare(b.name));
  }
  return models.sort((a, b) => a.name.localeCompare(b.name));
}
