import type { Clock, TimerHandle } from "../time/clock.ts";
import type { ToolCall } from "./chat.ts";

/**
 * Coalesces generated text into fewer `TOKN:` frames: the first piece goes out at once (time
 * to first token matters), later pieces arriving within `flushMs` of the previous send are
 * joined and sent together when the window ends. At ~50 tokens/s nothing is delayed; at
 * thousands per second the link carries one frame per window instead of one per token.
 */
export class TokenBatcher {
  #content = "";
  #thinking = "";
  #pending = false;
  #lastSentAt = Number.NEGATIVE_INFINITY;
  #timer: TimerHandle | undefined;
  #sent = 0;

  constructor(
    private readonly clock: Clock,
    private readonly flushMs: number,
    private readonly emit: (
      content: string,
      thinking: string | undefined,
      toolCalls?: ToolCall[],
    ) => void,
  ) {}

  /** Frames emitted so far. */
  get sent(): number {
    return this.#sent;
  }

  push(content: string, thinking?: string): void {
    if (!content && !thinking) return;
    this.#content += content;
    this.#thinking += thinking ?? "";
    this.#pending = true;
    if (this.#timer !== undefined) return;
    const wait = this.#lastSentAt + this.flushMs - this.clock.now();
    if (wait <= 0) {
      this.flush();
      return;
    }
    this.#timer = this.clock.setTimeout(() => {
      this.#timer = undefined;
      this.flush();
    }, wait);
  }

  /** Sends what is pending now (before the end-of-stream or error frame). */
  flush(): void {
    if (this.#timer !== undefined) this.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    if (!this.#pending) return;
    const content = this.#content;
    const thinking = this.#thinking || undefined;
    this.#content = "";
    this.#thinking = "";
    this.#pending = false;
    this.#lastSentAt = this.clock.now();
    this.#sent++;
    this.emit(content, thinking);
  }

  /** Sends tool calls at once in a frame of their own, after the text pending before them. */
  calls(toolCalls: ToolCall[]): void {
    if (toolCalls.length === 0) return;
    this.flush();
    this.#lastSentAt = this.clock.now();
    this.#sent++;
    this.emit("", undefined, toolCalls);
  }

  /** Drops pending text and the timer (the stream was cancelled). */
  discard(): void {
    if (this.#timer !== undefined) this.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#pending = false;
    this.#content = "";
    this.#thinking = "";
  }
}
