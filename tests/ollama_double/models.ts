/**
 * The models the Ollama test double pretends to have, and their JSON shapes for `/api/tags`,
 * `/api/ps` and `/api/show` (field names as in Ollama's api/types.go), with what each can do
 * (Ollama's capabilities: completion, tools, insert, vision, embedding).
 */
import { createHash } from "node:crypto";

/** A model as given to the double; only `name` is required, the rest is derived from it. */
export interface ModelSpec {
  /** Ollama name with tag, e.g. "tinyllama:1.1b"; a name without tag gets ":latest". */
  name: string;
  family?: string;
  /** e.g. "1.1B"; derived from the tag ("1.1b" → "1.1B") when absent. */
  parameterSize?: string;
  quantization?: string;
  /** Size on disk in bytes. */
  size?: number;
  digest?: string;
  contextLength?: number;
  /** Length of its embedding vectors. Default 768 for embedding models, else 384. */
  embeddingLength?: number;
  /**
   * What it can do; a request needing anything else is refused with 400 as Ollama does.
   * Default: ["embedding"] for embedding models (a name with "embed" or "minilm", family "*bert"),
   * else every capability.
   */
  capabilities?: readonly Capability[];
}

export const CAPABILITIES = ["completion", "tools", "insert", "vision", "embedding"] as const;
export type Capability = typeof CAPABILITIES[number];

export interface DoubleModel {
  name: string;
  family: string;
  parameterSize: string;
  quantization: string;
  size: number;
  digest: string;
  contextLength: number;
  embeddingLength: number;
  capabilities: readonly Capability[];
}

export const DEFAULT_MODELS: readonly ModelSpec[] = [{ name: "tinyllama:1.1b", family: "llama" }];

/** Fixed so listings are deterministic. */
export const MODIFIED_AT = "2025-01-01T00:00:00Z";

/** Adds ":latest" to a name without tag, as Ollama does. */
export function withTag(name: string): string {
  const lastPart = name.slice(name.lastIndexOf("/") + 1);
  return lastPart.includes(":") ? name : `${name}:latest`;
}

function parameterCount(parameterSize: string): number {
  const match = parameterSize.match(/^(\d+(?:\.\d+)?)([KMB])$/i);
  if (!match) return 1e9;
  const unit = { K: 1e3, M: 1e6, B: 1e9 }[match[2].toUpperCase() as "K" | "M" | "B"];
  return Math.round(Number(match[1]) * unit);
}

/** Fills the derived fields of a spec (a bare string is a name). */
export function resolveModel(spec: ModelSpec | string): DoubleModel {
  const given = typeof spec === "string" ? { name: spec } : spec;
  if (!given.name || /\s/.test(given.name)) {
    throw new RangeError(`model name must be non-empty without spaces, got "${given.name}"`);
  }
  const name = withTag(given.name);
  const [base, tag] = [name.slice(0, name.lastIndexOf(":")), name.slice(name.lastIndexOf(":") + 1)];
  const sizeInTag = tag.match(/(\d+(?:\.\d+)?)([kmb])(?![a-z])/i);
  const parameterSize = given.parameterSize ??
    (sizeInTag ? `${sizeInTag[1]}${sizeInTag[2].toUpperCase()}` : "1B");
  const family = given.family ??
    (base.split("/").at(-1)!.match(/^[a-z]+/i)?.[0].toLowerCase() || "llama");
  const embeddingOnly = /embed|minilm/i.test(base) || family.endsWith("bert");
  const embeddingLength = given.embeddingLength ?? (embeddingOnly ? 768 : 384);
  if (!Number.isInteger(embeddingLength) || embeddingLength < 1) {
    throw new RangeError(
      `model ${name}: embeddingLength must be a positive integer, got ${embeddingLength}`,
    );
  }
  return {
    name,
    family,
    parameterSize,
    quantization: given.quantization ?? "Q4_0",
    // Q4 weights take a bit over half a byte per parameter
    size: given.size ?? Math.round(parameterCount(parameterSize) * 0.6),
    digest: given.digest ?? createHash("sha256").update(name).digest("hex"),
    contextLength: given.contextLength ?? 2048,
    embeddingLength,
    capabilities: [...(given.capabilities ?? (embeddingOnly ? ["embedding"] : CAPABILITIES))],
  };
}

/**
 * Ollama's refusal when a model lacks a capability, e.g. `"all-minilm" does not support chat`
 * (its handlers quote the model as requested; completion is named after the endpoint).
 */
export function missingCapability(
  model: DoubleModel,
  requested: string,
  needed: readonly Capability[],
  endpoint: string,
): string | null {
  const missing = needed.find((c) => !model.capabilities.includes(c));
  if (!missing) return null;
  return `"${requested}" does not support ${missing === "completion" ? endpoint : missing}`;
}

/** Finds a model by the name a client sent ("tinyllama" matches "tinyllama:latest"). */
export function findModel(
  models: readonly DoubleModel[],
  requested: string,
): DoubleModel | undefined {
  const wanted = withTag(requested);
  return models.find((m) => m.name === wanted);
}

function details(model: DoubleModel) {
  return {
    parent_model: "",
    format: "gguf",
    family: model.family,
    families: [model.family],
    parameter_size: model.parameterSize,
    quantization_level: model.quantization,
  };
}

/** One entry of `GET /api/tags`. */
export function tagsEntry(model: DoubleModel) {
  return {
    name: model.name,
    model: model.name,
    modified_at: MODIFIED_AT,
    size: model.size,
    digest: model.digest,
    details: details(model),
  };
}

/** One entry of `GET /api/ps` (a loaded model). */
export function psEntry(model: DoubleModel, expiresAt: Date) {
  return {
    name: model.name,
    model: model.name,
    size: model.size,
    digest: model.digest,
    details: details(model),
    expires_at: expiresAt.toISOString(),
    size_vram: model.size,
    context_length: model.contextLength,
  };
}

/** Body of `POST /api/show`. */
export function showResponse(model: DoubleModel) {
  return {
    license: "",
    modelfile:
      `# Modelfile generated by "ollama show"\n# To build a new Modelfile based on this, ` +
      `replace FROM with:\n# FROM ${model.name}\n\nFROM ${model.name}\nTEMPLATE {{ .Prompt }}\n`,
    parameters: `stop                           "<|end|>"`,
    template: "{{ .Prompt }}",
    details: details(model),
    model_info: {
      "general.architecture": model.family,
      "general.parameter_count": parameterCount(model.parameterSize),
      [`${model.family}.context_length`]: model.contextLength,
      [`${model.family}.embedding_length`]: model.embeddingLength,
    },
    capabilities: [...model.capabilities],
    modified_at: MODIFIED_AT,
  };
}
