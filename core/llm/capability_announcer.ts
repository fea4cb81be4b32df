import type { PeerBus } from "../peers/bus.ts";
import type { Clock, TimerHandle } from "../time/clock.ts";
import type { LlmCapability } from "../wire/messages/llm.ts";

/**
 * Sends this node's `LLMC:` capability: to a peer as soon as its link comes up, and to
 * everyone whenever it changes — bursts coalesced to at most one broadcast per
 * `minIntervalMs` (default 100 ms, i.e. ≤ 10/s), identical payloads never repeated.
 */
export class CapabilityAnnouncer {
  #lastSentAt = Number.NEGATIVE_INFINITY;
  #lastJson = "";
  #timer: TimerHandle | undefined;
  #closed = false;
  #unsubscribe: () => void;

  constructor(
    private readonly bus: PeerBus,
    private readonly clock: Clock,
    private readonly current: () => LlmCapability,
    private readonly minIntervalMs = 100,
  ) {
    this.#unsubscribe = bus.onLinkUp((peer) => {
      if (!this.#closed) bus.send(peer.id, "LLMC:", this.current());
    });
  }

  /** Something in the capability may have changed: broadcast soon. */
  changed(): void {
    if (this.#closed || this.#timer !== undefined) return;
    const wait = this.#lastSentAt + this.minIntervalMs - this.clock.now();
    if (wait <= 0) {
      this.#flush();
      return;
    }
    this.#timer = this.clock.setTimeout(() => {
      this.#timer = undefined;
      this.#flush();
    }, wait);
  }

  close(): void {
    this.#closed = true;
    this.#unsubscribe();
    if (this.#timer !== undefined) this.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #flush() {
    if (this.#closed) return;
    const capability = this.current();
    const json = JSON.stringify(capability);
    if (json === this.#lastJson) return;
    this.#lastJson = json;
    this.#lastSentAt = this.clock.now();
    this.bus.broadcast("LLMC:", capability);
  }
}
