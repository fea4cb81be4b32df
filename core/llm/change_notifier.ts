import type { Logger } from "../log/logger.ts";
import type { Clock, TimerHandle } from "../time/clock.ts";

/**
 * Tells listeners that something changed, at most once per `intervalMs`: a burst of changes
 * (load, hosts, models) becomes one notification. A listener that throws is logged and does
 * not stop the others.
 */
export class ChangeNotifier {
  readonly #listeners = new Set<() => void>();
  #timer: TimerHandle | undefined;
  #lastFiredAt = Number.NEGATIVE_INFINITY;
  #closed = false;

  constructor(
    private readonly clock: Clock,
    private readonly intervalMs: number,
    private readonly logger: Logger,
  ) {}

  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Something changed: notify now, or once the interval since the last notification is over. */
  changed(): void {
    if (this.#closed || this.#timer !== undefined) return;
    const wait = this.#lastFiredAt + this.intervalMs - this.clock.now();
    this.#timer = this.clock.setTimeout(() => this.#fire(), Math.max(0, wait));
  }

  close(): void {
    this.#closed = true;
    if (this.#timer !== undefined) this.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #fire() {
    this.#timer = undefined;
    this.#lastFiredAt = this.clock.now();
    for (const listener of this.#listeners) {
      try {
        listener();
      } catch (error) {
        this.logger.warn("llm change listener failed", { error });
      }
    }
  }
}
