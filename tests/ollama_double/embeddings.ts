/**
 * Deterministic embeddings of the Ollama test double. A vector is a pure function of (model's
 * full name with tag, text, length): seeded from the text's hash, L2-normalized, every value a
 * float32, so it survives any float32 or float64 round trip (JSON, base64, a peer link) unchanged
 * and a test can compare a result through the mesh with `expectedEmbedding()` exactly.
 */
import { fmix32, hash32, splitTokens } from "./answer.ts";

/** Value `i` in [0, 1) of the stream seeded by `seed`. */
function unitValue(seed: number, i: number): number {
  return fmix32(seed ^ Math.imul(i + 1, 0x9e3779b1)) / 4294967296;
}

function normalized(values: readonly number[]): number[] {
  const norm = Math.sqrt(values.reduce((sum, v) => sum + v * v, 0)) || 1;
  return values.map((v) => Math.fround(v / norm));
}

/**
 * The embedding the double returns for `text`: `length` values of unit norm. With `dimensions`
 * below `length` the vector is cut to that many values and normalized again, as Ollama does.
 */
export function expectedEmbedding(
  model: string,
  text: string,
  length: number,
  dimensions?: number,
): number[] {
  if (!Number.isInteger(length) || length < 1) {
    throw new RangeError(`expectedEmbedding: length must be a positive integer, got ${length}`);
  }
  const seed = hash32(`${model}\u0000${text}`);
  const raw = Array.from({ length }, (_, i) => unitValue(seed, i) * 2 - 1);
  const cut = dimensions !== undefined && dimensions > 0 && dimensions < length
    ? raw.slice(0, dimensions)
    : raw;
  return normalized(cut);
}

/** Words of `text` (each with the whitespace before it); a trailing blank is no word. */
function words(text: string): string[] {
  return splitTokens(text).filter((t) => t.trim() !== "");
}

/** Tokens of an embedding input, as the double counts them (`prompt_eval_count`). */
export function countEmbedTokens(text: string): number {
  return words(text).length;
}

export type Truncation =
  | { ok: true; text: string; tokens: number }
  | { ok: false; tokens: number };

/**
 * Fits `text` into `contextLength` tokens: cut at the end when `truncate` (Ollama's default),
 * refused otherwise.
 */
export function fitContext(text: string, contextLength: number, truncate: boolean): Truncation {
  const all = words(text);
  if (all.length <= contextLength) return { ok: true, text, tokens: all.length };
  if (!truncate) return { ok: false, tokens: all.length };
  return { ok: true, text: all.slice(0, contextLength).join(""), tokens: contextLength };
}

/** OpenAI's `encoding_format: "base64"`: the float32 values, little-endian, base64. */
export function encodeFloat32Base64(values: readonly number[]): string {
  const bytes = new Uint8Array(new Float32Array(values).buffer);
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/** The inverse of `encodeFloat32Base64()`. */
export function decodeFloat32Base64(text: string): number[] {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return [...new Float32Array(bytes.buffer)];
}
