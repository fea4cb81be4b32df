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
 * Incremental frame decoder: feed it whatever a socket read returned, get whole frames back.
 * Handles frames split across reads and many frames per read. An oversize length is refused
 * from the header alone, so a hostile peer can never make it allocate past `maxPayloadBytes`.
 */
export class FrameDecoder {
  #chunks: Uint8Array[] = [];
  #buffered = 0;
  #pending: { marker: string; length: number } | null = null;
  readonly #maxLength: bigint;

  constructor(readonly maxPayloadBytes: number) {
    // Checked here so that a bad limit (Infinity, NaN) fails at startup, not as a non-FrameError
    // thrown from BigInt() on the first frame.
    if (!Number.isSafeInteger(maxPayloadBytes) || maxPayloadBytes < 0) {
      throw new RangeError(
        `Cannot create FrameDecoder as 'maxPayloadBytes' must be a non-negative safe integer: current value is ${maxPayloadBytes}`,
      );
    }
    this.#maxLength = BigInt(maxPayloadBytes);
  }

  /** Bytes held that do not yet form a whole frame. */
  get bufferedBytes(): number {
    return this.#buffered;
  }

  /** True while part of a frame has arrived and the rest has not (for slow-loris timeouts). */
  get midFrame(): boolean {
    return this.#buffered > 0 || this.#pending !== null;
  }

  /**
   * Buffers `bytes` and returns the frames completed so far. The decoder keeps references to
   * the pushed chunks (payloads may be views into them), so callers must not reuse the buffer
   * they pass in. Throws FrameError on a malformed stream; the decoder is unusable afterwards.
   */
  push(bytes: Uint8Array): Frame[] {
    if (bytes.length > 0) {
      this.#chunks.push(bytes);
      this.#buffered += bytes.length;
    }
    const frames: Frame[] = [];
    while (true) {
      if (this.#pending === null) {
        if (this.#buffered < HEADER_BYTES) break;
        const header = this.#take(HEADER_BYTES);
        const marker = ascii.decode(header.subarray(0, MARKER_BYTES));
        if (!MARKER_PATTERN.test(marker)) {
          throw new FrameError(`bad frame marker ${JSON.stringify(marker)}`);
        }
        const length = new DataView(header.buffer, header.byteOffset + MARKER_BYTES, LENGTH_BYTES)
          .getBigUint64(0, true);
        if (length > this.#maxLength) {
          throw new FrameError(
            `frame ${marker} length ${length} exceeds limit ${this.maxPayloadBytes}`,
          );
        }
        this.#pending = { marker, length: Number(length) };
      }
      if (this.#buffered < this.#pending.length) break;
      const payload = this.#take(this.#pending.length);
      frames.push({ marker: this.#pending.marker, payload });
      this.#pending = null;
    }
    return frames;
  }

  /** Removes and returns exactly `n` buffered bytes (copying only when they span chunks). */
  #take(n: number): Uint8Array {
    this.#buffered -= n;
    const first = this.#chunks[0];
    if (n === 0) return new Uint8Array(0);
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
