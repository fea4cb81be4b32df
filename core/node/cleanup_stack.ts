import type { Logger } from "../log/logger.ts";

/** One step of stopping the node: close a server, stop a module, flush a file. */
export type Cleanup = () => Promise<void> | void;

/**
 * Everything the node started, undone in reverse order by one call: each step is pushed once
 * what it undoes is running, and runs even when an earlier step failed (the failure is logged).
 */
export class CleanupStack {
  readonly #steps: Cleanup[] = [];

  constructor(private readonly logger: Logger) {}

  push(step: Cleanup): void {
    this.#steps.push(step);
  }

  /** Runs every step, last pushed first; a second call finds nothing left to do. */
  async unwind(): Promise<void> {
    while (this.#steps.length > 0) {
      const step = this.#steps.pop()!;
      try {
        await step();
      } catch (error) {
        this.logger.warn("shutdown step failed", { error });
      }
    }
  }
}
