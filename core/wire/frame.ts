/**
 * Frame layout, byte-compatible with the original Rust NeuroMesh:
 * `[5-byte ASCII marker][8-byte little-endian unsigned length][payload]`.
 */
export const MARKER_BYTES = 5;
export const LENGTH_BYTES = 8;
export const HEADER_BYTES = MARKER_BYTES + LENGTH_BYTES;
/** Default cap on one payload: 50 MB, as the original. */
export const DEFAULT_MAX_FRAME_BYTES = 50 * 1024 * 1024;

export interface Frame {
  marker: string;
  payload: Uint8Array;
}

const encoder = new TextEncoder();

/** Encodes one frame. The marker must be exactly 5 ASCII characters. */
export function encodeFrame(marker: string, payload: Uint8Array): Uint8Array {
  if (marker.length !== MARKER_BYTES || !/^[\x20-\x7e]{5}$/.test(marker)) {
    throw new RangeError(`Cannot encode frame: marker must be 5 printable ASCII characters, got "${marker}"`);
  }
  const out = new Uint8Array(HEADER_BYTES + payload.length);
  out.set(encoder.encode(marker), 0);
  new DataView(out.buffer).setBigUint64(MARKER_BYTES, BigInt(payload.length), true);
  out.set(payload, HEADER_BYTES);
  return out;
}

/** Encodes a frame whose payload is the UTF-8 JSON of `value`. */
export function encodeJsonFrame(marker: string, value: unknown): Uint8Array {
  return encodeFrame(marker, encoder.encode(JSON.stringify(value)));
}
