import type { Clock, TimerHandle } from "../time/clock.ts";
import type { Logger } from "../log/logger.ts";
import type { BackendModel, LlmBackend } from "./backend.ts";

export interface BackendState {
  /** True while the backend answers its model list. */
  available: boolean;
  models: BackendModel[];
  version?: string;
  /** Why the last probe failed, if it did. */
  lastError?: string;
  /** Time of the last finished probe (clock ms), 0 before the first. */
  checkedAt: number;
}

export interface BackendMonitorOptions {
  backend: LlmBackend | null;
  clock: Clock;
  logger: Logger;
  /** Probe period. @default 10_000 */
  intervalMs?: number;
  /** A probe taking longer counts as a failure. @default 5_000 */
  probeTimeoutMs?: number;
}

/**
 * Knows whether the local backend is up and which models it has: probes at start, every
 * `intervalMs`, and right after anyone reports a failure. Tells listeners only on change.
 */
export class BackendMonitor {
  #backend: LlmBackend | null;
  #state: BackendState = { available: false, models: [], checkedAt: 0 };
  #listeners = new Set<(state: BackendState) => void>();
  #timer: TimerHandle | undefined;
  #probing: Promise<void> | undefined;
  #again = false;
  #closed = false;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #intervalMs: number;
  readonly #probeTimeoutMs: number;

  constructor(options: BackendMonitorOptions) {
    this.#backend = options.backend;
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.#intervalMs = options.intervalMs ?? 10_000;
    this.#probeTimeoutMs = options.probeTimeoutMs ?? 5_000;
  }

  get state(): BackendState {
    return this.#state;
  }
  get backend(): LlmBackend | null {
    return this.#backend;
  }

  onChange(listener: (state: BackendState) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Runs the first probe; resolves once it is done, then keeps probing periodically. */
  start(): Promise<void> {
    return this.probeNow();
  }

  /** Switches to another backend (the user changed its URL) and probes it at once. */
  setBackend(backend: LlmBackend | null): Promise<void> {
    this.#backend = backend;
    return this.probeNow();
  }

  /** Someone saw the backend fail: check again now rather than at the next period. */
  reportFailure(): void {
    if (!this.#closed) void this.probeNow();
  }

  /** Probes now; concurrent callers share the running probe, plus one more after it. */
  probeNow(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    if (this.#probing) {
      this.#again = true;
      return this.#probing;
    }
    this.#probing = (async () => {
      do {
        this.#again = false;
        await this.#probe();
      } while (this.#again && !this.#closed);
      this.#probing = undefined;
      this.#schedule();
    })();
    return this.#probing;
  }

  close(): void {
    this.#closed = true;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #schedule() {
    if (this.#closed) return;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      void this.probeNow();
    }, this.#intervalMs);
  }

  async #probe(): Promise<void> {
    const backend = this.#backend;
    if (!backend) {
      this.#set({
        available: false,
        models: [],
        lastError: "no backend configured",
        checkedAt: this.#clock.now(),
      });
      return;
    }
    const abort = new AbortController();
    const timer = this.#clock.setTimeout(
      () => abort.abort(new Error(`no answer within ${this.#probeTimeoutMs} ms`)),
      this.#probeTimeoutMs,
    );
    try {
      const models = await backend.listModels(abort.signal);
      const version = this.#state.available && this.#state.version
        ? this.#state.version
        : await backend.version(abort.signal).catch(() => undefined);
      if (backend !== this.#backend) return;
      this.#set({ available: true, models, version, checkedAt: this.#clock.now() });
    } catch (error) {
      if (backend !== this.#backend) return;
      const reason = abort.signal.aborted
        ? (abort.signal.reason as Error).message
        : (error as Error).message;
      this.#set({ available: false, models: [], lastError: reason, checkedAt: this.#clock.now() });
    } finally {
      this.#clock.clearTimeout(timer);
    }
  }

  #set(next: BackendState) {
    const previous = this.#state;
    this.#state = next;
    if (previous.available !== next.available) {
      if (next.available) {
        this.#logger.info("llm backend up", {
          backend: this.#backend?.description,
          models: next.models.length,
        });
      } else {
        this.#logger.warn("llm backend down", {
          backend: this.#backend?.description,
          error: next.lastError,
        });
      }
    }
    if (previous.checkedAt !== 0 && sameState(previous, next)) return;
    for (const listener of this.#listeners) listener(next);
  }
}

function modelKey(models: BackendModel[]): string {
  return models.map((m) => `${m.name}@${m.digest ?? ""}:${m.size}`).sort().join("|");
}

function sameState(a: BackendState, b: BackendState): boolean {
  return a.available === b.available && modelKey(a.models) === modelKey(b.models) &&
    a.version === b.version;
}
