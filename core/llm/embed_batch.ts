/**
 * How an embedding batch travels over a peer link within the frame limit, without I/O: the
 * client cuts the inputs into parts (`splitInputs`), the host cuts each part's vectors into
 * `EMBD:` runs (`splitVectors`), and `VectorAssembly` puts the runs back in order, refusing
 * gaps, overlaps and extra vectors. Vectors travel as float32 base64 when exact (`encodeVector`).
 */
import type { WireVector } from "../wire/messages/embed.ts";

/** A run of items: `[start, end)`. */
export interface Range {
  start: number;
  end: number;
}

/** Bytes a string takes in a JSON payload: UTF-8 length plus quotes and a comma (an upper bound for plain text). */
export function jsonStringBytes(text: string): number {
  let bytes = 3;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c) bytes += 6; // escaped: \u00XX at worst
    else if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      bytes += 4; // a surrogate pair: 4 bytes of UTF-8 for both halves
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/**
 * Cuts `sizes` (bytes of each item) into consecutive runs of at most `budget` bytes and
 * `maxCount` items; an item larger than the budget alone goes in a run of its own (the caller
 * refuses it if it cannot be sent). Empty input gives one empty run, so a request still goes out.
 */
export function splitBySize(sizes: readonly number[], budget: number, maxCount: number): Range[] {
  if (!(budget > 0) || !Number.isInteger(maxCount) || maxCount < 1) {
    throw new RangeError(
      `Cannot split a batch as 'budget' and 'maxCount' must be positive: current values are ${budget} and ${maxCount}`,
    );
  }
  if (sizes.length === 0) return [{ start: 0, end: 0 }];
  const runs: Range[] = [];
  let start = 0;
  let bytes = 0;
  for (let i = 0; i < sizes.length; i++) {
    const full = i > start && (bytes + sizes[i] > budget || i - start >= maxCount);
    if (full) {
      runs.push({ start, end: i });
      start = i;
      bytes = 0;
    }
    bytes += sizes[i];
  }
  runs.push({ start, end: sizes.length });
  return runs;
}

/** The parts of a batch of inputs, each within `budget` bytes of JSON text and `maxCount` inputs. */
export function splitInputs(inputs: readonly string[], budget: number, maxCount: number): Range[] {
  return splitBySize(inputs.map(jsonStringBytes), budget, maxCount);
}

/** Bytes a wire vector takes in a JSON payload (an upper bound). */
export function wireVectorBytes(vector: WireVector): number {
  // A number as JSON: at most 24 characters (-1.2345678901234567e-308) and a comma.
  return typeof vector === "string" ? vector.length + 3 : vector.length * 25 + 2;
}

/** The `EMBD:` runs of a part's vectors, each within `budget` bytes and `maxCount` vectors. */
export function splitVectors(vectors: readonly WireVector[], budget: number, maxCount: number) {
  return splitBySize(vectors.map(wireVectorBytes), budget, maxCount);
}

/** A vector for the wire: base64 of little-endian float32 when every value is one, else numbers. */
export function encodeVector(values: readonly number[]): WireVector {
  const floats = Float32Array.from(values);
  for (let i = 0; i < values.length; i++) {
    if (!Object.is(floats[i], values[i])) return [...values];
  }
  return float32Base64(values);
}

/** The values of a wire vector; throws on base64 that is not whole float32 values. */
export function decodeVector(vector: WireVector): number[] {
  if (typeof vector !== "string") return vector;
  const binary = atob(vector);
  if (binary.length % 4 !== 0) {
    throw new RangeError(`an embedding of ${binary.length} bytes is not whole float32 values`);
  }
  const view = new DataView(new ArrayBuffer(binary.length));
  for (let i = 0; i < binary.length; i++) view.setUint8(i, binary.charCodeAt(i));
  const out = new Array<number>(binary.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

/** Base64 of float32 values, little-endian: OpenAI's `encoding_format: "base64"`. */
export function float32Base64(values: readonly number[]): string {
  const view = new DataView(new ArrayBuffer(values.length * 4));
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i], true);
  return base64(new Uint8Array(view.buffer));
}

function base64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/**
 * The vectors of one request as its `EMBD:` runs arrive: each run must start where the last
 * ended, and the runs must add up to exactly `expected` vectors.
 */
export class VectorAssembly {
  readonly #vectors: number[][] = [];

  constructor(readonly expected: number) {}

  get received(): number {
    return this.#vectors.length;
  }

  /** Adds a run; throws (naming what is wrong) on a gap, an overlap or too many vectors. */
  add(offset: number, vectors: readonly WireVector[]): void {
    if (offset !== this.#vectors.length) {
      throw new RangeError(
        `embedding run starts at ${offset}, expected ${this.#vectors.length}`,
      );
    }
    if (offset + vectors.length > this.expected) {
      throw new RangeError(
        `embedding run ends at ${offset + vectors.length}, past the ${this.expected} inputs`,
      );
    }
    for (const vector of vectors) this.#vectors.push(decodeVector(vector));
  }

  /** All vectors, once complete; throws when some are missing. */
  result(): number[][] {
    if (this.#vectors.length !== this.expected) {
      throw new RangeError(
        `the host sent ${this.#vectors.length} embeddings for ${this.expected} inputs`,
      );
    }
    return this.#vectors;
  }
}
