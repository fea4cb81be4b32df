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

/**
 * A vector for the wire: base64 of little-endian float32 when every value is one, else numbers.
 * Hot path (a 1,000-input batch is ~770k values): one typed array, no per-value calls.
 */
export function encodeVector(values: readonly number[]): WireVector {
  const floats = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    floats[i] = value;
    // Not a float32 (NaN stays NaN; -0 stays -0 in a Float32Array).
    if (floats[i] !== value && value === value) return [...values];
  }
  return floatsBase64(floats);
}

/** The values of a wire vector; throws on base64 that is not whole float32 values. */
export function decodeVector(vector: WireVector): number[] {
  if (typeof vector !== "string") return vector;
  const bytes = base64Bytes(vector);
  if (bytes.length % 4 !== 0) {
    throw new RangeError(`an embedding of ${bytes.length} bytes is not whole float32 values`);
  }
  const out = new Array<number>(bytes.length / 4);
  if (LITTLE_ENDIAN) {
    const floats = new Float32Array(bytes.buffer, bytes.byteOffset, out.length);
    for (let i = 0; i < out.length; i++) out[i] = floats[i];
  } else {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  }
  return out;
}

/** Base64 of float32 values, little-endian: OpenAI's `encoding_format: "base64"`. */
export function float32Base64(values: readonly number[]): string {
  return floatsBase64(Float32Array.from(values));
}

/** True where typed arrays are little-endian (every platform Deno ships for). */
const LITTLE_ENDIAN = new Uint8Array(new Float32Array([1]).buffer)[3] === 0x3f;

function floatsBase64(floats: Float32Array): string {
  if (LITTLE_ENDIAN) return bytesBase64(new Uint8Array(floats.buffer, 0, floats.byteLength));
  const view = new DataView(new ArrayBuffer(floats.byteLength));
  for (let i = 0; i < floats.length; i++) view.setFloat32(i * 4, floats[i], true);
  return bytesBase64(new Uint8Array(view.buffer));
}

/** The native base64 of Uint8Array (V8 ≥ 14); the older string route where it is missing. */
interface NativeBase64 {
  fromBase64?: (text: string) => Uint8Array;
}
const native = Uint8Array as unknown as NativeBase64;
const hasNative = typeof native.fromBase64 === "function" &&
  typeof (Uint8Array.prototype as { toBase64?: unknown }).toBase64 === "function";

function bytesBase64(bytes: Uint8Array): string {
  if (hasNative) return (bytes as unknown as { toBase64(): string }).toBase64();
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

function base64Bytes(text: string): Uint8Array {
  if (hasNative) return native.fromBase64!(text);
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
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
