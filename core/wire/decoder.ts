import { type Frame, HEADER_BYTES, MARKER_BYTES } from "./frame.ts";

/** The only error a decoder throws: the stream is malformed and the link must close. */
export class FrameError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FrameError";
  }
}

/** Distinct markers whose strings are remembered (a link speaks a few dozen). */
const MARKER_CACHE_SIZE = 128;
const EMPTY = new Uint8Array(0);

/**
 * Incremental frame decoder: feed it whatever a socket read returned, take whole frames out.
 * Handles frames split across reads and many frames per read. An oversize length is refused
 * from the header alone, so a hostile peer can never make it allocate past `maxPayloadBytes`.
 *
 * Decodes in place: a header that arrives whole is read where it lies, and a payload that
 * arrives whole in one read is handed out as a view of that read (no copy). Only a header
 * split across reads is copied (13 bytes), and a payload split across reads is copied, read by
 * read, into one buffer of its announced length, so a 50 MB frame costs 50 MB here, not the
 * reads plus a joined copy.
 */
export class FrameDecoder {
  /** Bytes received and not yet consumed, in arrival order; the first from #offset on. */
  #chunks: Uint8Array[] = [];
  #offset = 0;
  #chunkBytes = 0;
  /** The frame whose header was read and whose payload is being filled. */
  #partial: { marker: string; payload: Uint8Array; filled: number } | null = null;
  #maxPayloadBytes = 0;
  /** Marker strings by their 5 bytes read as one number, so a frame allocates no string. */
  #markers = new Map<number, string>();

  constructor(maxPayloadBytes: number) {
    this.maxPayloadBytes = maxPayloadBytes;
  }

  /**
   * The largest payload a header may announce. It may change between frames (a link allows
   * less before its handshake is done); it applies to headers read from then on.
   */
  get maxPayloadBytes(): number {
    return this.#maxPayloadBytes;
  }

  set maxPayloadBytes(limit: number) {
    // Checked here so that a bad limit (Infinity, NaN) fails where it is set, not as a
    // non-FrameError on the first frame.
    if (!Number.isSafeInteger(limit) || limit < 0) {
      throw new RangeError(
        `Cannot set FrameDecoder's 'maxPayloadBytes' as it must be a non-negative safe integer: current value is ${limit}`,
      );
    }
    this.#maxPayloadBytes = limit;
  }

  /** Bytes held that do not yet form a whole frame. */
  get bufferedBytes(): number {
    return this.#chunkBytes + (this.#partial?.filled ?? 0);
  }

  /** True while part of a frame has arrived and the rest has not (for slow-loris timeouts). */
  get midFrame(): boolean {
    return this.#chunkBytes > 0 || this.#partial !== null;
  }

  /**
   * Buffers `bytes` without decoding anything; `next()` takes the frames out. The decoder may
   * keep views of `bytes` (payloads may be views into it), so callers must not reuse it.
   */
  feed(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.#chunks.push(bytes);
    this.#chunkBytes += bytes.length;
  }

  /**
   * The next whole frame, or null until more bytes arrive. Each header is checked against the
   * limit in force when this reaches it. Throws FrameError on a malformed stream; the decoder
   * is unusable afterwards.
   */
  next(): Frame | null {
    if (this.#partial === null) {
      if (this.#chunkBytes < HEADER_BYTES) return null;
      let header = this.#chunks[0];
      let at = this.#offset;
      if (header.length - at >= HEADER_BYTES) this.#skip(HEADER_BYTES);
      else {
        header = this.#take(HEADER_BYTES);
        at = 0;
      }
      const marker = this.#markerAt(header, at);
      const size = u32(header, at + MARKER_BYTES);
      const high = u32(header, at + MARKER_BYTES + 4);
      if (high !== 0 || size > this.#maxPayloadBytes) {
        const length = (BigInt(high) << 32n) | BigInt(size);
        throw new FrameError(
          `frame ${marker} length ${length} exceeds limit ${this.#maxPayloadBytes}`,
        );
      }
      if (size === 0) return { marker, payload: EMPTY };
      if (this.#chunks.length > 0) {
        const first = this.#chunks[0];
        const start = this.#offset;
        if (first.length - start >= size) {
          this.#skip(size);
          return { marker, payload: first.subarray(start, start + size) };
        }
      }
      this.#partial = { marker, payload: new Uint8Array(size), filled: 0 };
    }
    const partial = this.#partial;
    while (partial.filled < partial.payload.length && this.#chunks.length > 0) {
      const first = this.#chunks[0];
      const start = this.#offset;
      const n = Math.min(first.length - start, partial.payload.length - partial.filled);
      partial.payload.set(first.subarray(start, start + n), partial.filled);
      partial.filled += n;
      this.#skip(n);
    }
    if (partial.filled < partial.payload.length) return null;
    this.#partial = null;
    return { marker: partial.marker, payload: partial.payload };
  }

  /** `feed(bytes)`, then every frame now complete (with one limit for all of them). */
  push(bytes: Uint8Array): Frame[] {
    this.feed(bytes);
    const frames: Frame[] = [];
    for (let frame = this.next(); frame !== null; frame = this.next()) frames.push(frame);
    return frames;
  }

  /** The marker at `bytes[at..at+5]`: five printable ASCII bytes, or FrameError. */
  #markerAt(bytes: Uint8Array, at: number): string {
    let key = 0;
    let printable = true;
    for (let i = MARKER_BYTES - 1; i >= 0; i--) {
      const byte = bytes[at + i];
      printable &&= byte >= 0x20 && byte <= 0x7e;
      key = key * 256 + byte;
    }
    const known = this.#markers.get(key);
    if (known !== undefined) return known;
    const marker = String.fromCharCode(...bytes.subarray(at, at + MARKER_BYTES));
    if (!printable) throw new FrameError(`bad frame marker ${JSON.stringify(marker)}`);
    if (this.#markers.size < MARKER_CACHE_SIZE) this.#markers.set(key, marker);
    return marker;
  }

  /** Consumes `n` bytes that lie in the first chunk. */
  #skip(n: number): void {
    this.#chunkBytes -= n;
    this.#offset += n;
    if (this.#offset === this.#chunks[0].length) {
      this.#chunks.shift();
      this.#offset = 0;
    }
  }

  /** Removes and returns `n` buffered bytes that span chunks, as a copy. */
  #take(n: number): Uint8Array {
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.#chunks[0];
      const start = this.#offset;
      const count = Math.min(chunk.length - start, n - filled);
      out.set(chunk.subarray(start, start + count), filled);
      filled += count;
      this.#skip(count);
    }
    return out;
  }
}

/** The little-endian u32 at `bytes[at..at+4]`. */
function u32(bytes: Uint8Array, at: number): number {
  return (bytes[at] | bytes[at + 1] << 8 | bytes[at + 2] << 16 | bytes[at + 3] << 24) >>> 0;
}
