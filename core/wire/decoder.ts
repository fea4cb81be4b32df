import { type Frame, HEADER_BYTES, LENGTH_BYTES, MARKER_BYTES } from "./frame.ts";

/** The only error a decoder throws: the stream is malformed and the link must close. */
export class FrameError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FrameError";
  }
}

const MARKER_PATTERN = /^[\x20-\x7e]{5}$/;
const ascii = new TextDecoder("ascii");

/**
 * Incremental frame decoder: feed it whatever a socket read returned, take whole frames out.
 * Handles frames split across reads and many frames per read. An oversize length is refused
 * from the header alone, so a hostile peer can never make it allocate past `maxPayloadBytes`.
 *
 * A payload that arrives whole in one read is handed out as a view of that read (no copy); a
 * larger one is copied, read by read, into one buffer of its announced length, so a 50 MB
 * frame costs 50 MB here, not the reads plus a joined copy.
 */
export class FrameDecoder {
  /** Bytes received and not yet consumed, in arrival order. */
  #chunks: Uint8Array[] = [];
  #chunkBytes = 0;
  /** The frame whose header was read and whose payload is being filled. */
  #partial: { marker: string; payload: Uint8Array; filled: number } | null = null;
  #maxPayloadBytes = 0;

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
      const header = this.#take(HEADER_BYTES);
      const marker = ascii.decode(header.subarray(0, MARKER_BYTES));
      if (!MARKER_PATTERN.test(marker)) {
        throw new FrameError(`bad frame marker ${JSON.stringify(marker)}`);
      }
      const length = new DataView(header.buffer, header.byteOffset + MARKER_BYTES, LENGTH_BYTES)
        .getBigUint64(0, true);
      if (length > BigInt(this.#maxPayloadBytes)) {
        throw new FrameError(
          `frame ${marker} length ${length} exceeds limit ${this.#maxPayloadBytes}`,
        );
      }
      const size = Number(length);
      if (size === 0) return { marker, payload: new Uint8Array(0) };
      if (this.#chunks.length > 0 && this.#chunks[0].length >= size) {
        return { marker, payload: this.#take(size) };
      }
      this.#partial = { marker, payload: new Uint8Array(size), filled: 0 };
    }
    const partial = this.#partial;
    while (partial.filled < partial.payload.length && this.#chunks.length > 0) {
      const piece = this.#take(
        Math.min(this.#chunks[0].length, partial.payload.length - partial.filled),
      );
      partial.payload.set(piece, partial.filled);
      partial.filled += piece.length;
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

  /** Removes and returns `n` buffered bytes (copying only when they span chunks). */
  #take(n: number): Uint8Array {
    this.#chunkBytes -= n;
    const first = this.#chunks[0];
    if (first.length === n) {
      this.#chunks.shift();
      return first;
    }
    if (first.length > n) {
      this.#chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.#chunks[0];
      const want = n - filled;
      if (chunk.length <= want) {
        out.set(chunk, filled);
        filled += chunk.length;
        this.#chunks.shift();
      } else {
        out.set(chunk.subarray(0, want), filled);
        this.#chunks[0] = chunk.subarray(want);
        filled += want;
      }
    }
    return out;
  }
}
