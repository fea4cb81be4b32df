import { HEADER_BYTES } from "../wire/frame.ts";
import type { Logger } from "../log/logger.ts";
import type { Clock } from "../time/clock.ts";
import { Outbox } from "./outbox.ts";
import type { Connection } from "./transport.ts";

export interface LinkWriterOptions {
  connection: Connection;
  clock: Clock;
  maxFrameBytes: number;
  /** Unsent bytes beyond which the peer counts as not reading. */
  maxQueuedBytes: number;
  /** Counters the writer adds to (the link's stats). */
  stats: { framesOut: number; bytesOut: number };
  /** Writing cannot go on (a write failed, or the queue overflowed): the link must end. */
  onFailure(reason: string, cause: "io" | "timeout"): void;
  logger?: Logger;
}

/**
 * The sending half of a link: queues frames in an Outbox and writes them in batches with one
 * write in flight, so frames queued in the same tick share one write. Bounded: a peer that
 * lets more than maxQueuedBytes pile up is reported as not reading.
 */
export class LinkWriter {
  readonly #options: LinkWriterOptions;
  #outbox = new Outbox();
  #flushScheduled = false;
  #active = false;
  #done: Promise<void> = Promise.resolve();
  #startedAt: number | null = null;
  #closed = false;
  /** Set by end(): no more frames; runs once the queue is written. */
  #onFlushed: (() => void) | null = null;
  #ending = false;
  #drainWaiters: { lowWaterBytes: number; resolve: () => void }[] = [];

  constructor(options: LinkWriterOptions) {
    this.#options = options;
  }

  /** Bytes queued and not yet handed to the connection. */
  get queuedBytes(): number {
    return this.#outbox.bytes;
  }
  /** When the write in flight started, or null: a peer that stops reading stalls it. */
  get writeStartedAt(): number | null {
    return this.#startedAt;
  }
  /** Settles once the write loop has stopped. */
  get done(): Promise<void> {
    return this.#done;
  }

  /**
   * Queues a message (`marker` + JSON payload) or, with a null marker, an encoded frame. False
   * when it is refused: too large, writing is over, or the queue overflowed (reported).
   */
  enqueue(marker: string | null, payload: unknown): boolean {
    if (this.#closed || this.#ending) return false;
    const { maxFrameBytes, maxQueuedBytes } = this.#options;
    let payloadBytes: number;
    if (marker === null) {
      const frame = payload as Uint8Array;
      payloadBytes = frame.length - HEADER_BYTES;
      if (payloadBytes <= maxFrameBytes) this.#outbox.pushFrame(frame);
    } else {
      payloadBytes = this.#outbox.pushJson(marker, payload, maxFrameBytes);
    }
    if (payloadBytes < 0 || payloadBytes > maxFrameBytes) {
      this.#options.logger?.warn("frame too large to send", {
        marker: marker ?? undefined,
        limit: maxFrameBytes,
      });
      return false;
    }
    this.#options.stats.framesOut++;
    if (this.#outbox.bytes > maxQueuedBytes) {
      this.#options.onFailure(
        `peer not reading: ${this.#outbox.bytes} bytes queued, limit ${maxQueuedBytes}`,
        "timeout",
      );
      return false;
    }
    this.flushSoon();
    return true;
  }

  /** Flushes on the next microtask, so frames queued in the same tick share one write. */
  flushSoon(): void {
    if (this.#flushScheduled || this.#active) return;
    this.#flushScheduled = true;
    queueMicrotask(() => {
      this.#flushScheduled = false;
      if (!this.#active) this.#done = this.#writeLoop();
    });
  }

  /** No more frames: `onFlushed` runs once what is queued is written (or writing failed). */
  end(onFlushed: () => void): void {
    if (this.#closed || this.#ending) return;
    this.#ending = true;
    this.#onFlushed = onFlushed;
    this.flushSoon();
  }

  /**
   * Resolves once at most `lowWaterBytes` are queued (or writing is over): lets a bulk sender
   * pace itself instead of hitting the queue limit.
   */
  drained(lowWaterBytes = 0): Promise<void> {
    if (this.#outbox.bytes <= lowWaterBytes || this.#closed) return Promise.resolve();
    return new Promise((resolve) => this.#drainWaiters.push({ lowWaterBytes, resolve }));
  }

  /** Drops what is queued and writes nothing more (the connection is closing). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#outbox.clear();
    this.#releaseDrainWaiters();
  }

  async #writeLoop(): Promise<void> {
    this.#active = true;
    const { connection, clock, stats } = this.#options;
    try {
      while (!this.#closed) {
        const batch = this.#outbox.take();
        if (!batch) break;
        this.#startedAt = clock.now();
        await connection.write(batch);
        this.#startedAt = null;
        stats.bytesOut += batch.length;
        this.#outbox.recycle(batch);
        if (this.#drainWaiters.length > 0) this.#releaseDrainWaiters();
      }
    } catch (error) {
      this.#startedAt = null;
      if (!this.#closed) {
        this.#options.onFailure(`write failed: ${(error as Error).message}`, "io");
      }
    } finally {
      this.#active = false;
    }
    if (this.#ending) {
      const flushed = this.#onFlushed;
      this.#onFlushed = null;
      flushed?.();
    } else if (!this.#outbox.empty) this.flushSoon();
  }

  #releaseDrainWaiters(): void {
    const waiting = this.#drainWaiters;
    this.#drainWaiters = [];
    for (const waiter of waiting) {
      if (this.#outbox.bytes <= waiter.lowWaterBytes || this.#closed) waiter.resolve();
      else this.#drainWaiters.push(waiter);
    }
  }
}
