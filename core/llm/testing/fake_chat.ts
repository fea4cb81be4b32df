/** Test support: a scripted ChatService whose stream can be held open until released. */
import type { ChatChunk, ChatRequest, ChatService, ServedBy } from "../chat.ts";

export const FAKE_HOST: ServedBy = { nodeId: "GPU", nodeName: "gpu-box", model: "llama3.2" };

export interface FakeChatScript {
  /** Text pieces streamed one chunk each. */
  pieces?: string[];
  /** Stop after this many pieces and wait for `release()` (or the abort signal). */
  holdAfter?: number;
  /** Thrown instead of the final chunk. */
  failWith?: Error;
  /** Thrown before the first chunk. */
  refuseWith?: Error;
  /** The first chunk says the answer moved from this host. */
  failedOverFrom?: ServedBy;
  /** With `failedOverFrom`: why the first host was left. */
  failoverReason?: ChatChunk["failoverReason"];
  servedBy?: ServedBy;
}

export class FakeChat implements ChatService {
  readonly requests: ChatRequest[] = [];
  script: FakeChatScript = {};
  #release: (() => void) | null = null;
  /** Resolves when a stream is being held (reached `holdAfter`). */
  held: Promise<void> = Promise.resolve();
  #onHeld: (() => void) | null = null;

  constructor(script: FakeChatScript = {}) {
    this.setScript(script);
  }

  setScript(script: FakeChatScript) {
    this.script = script;
    this.held = new Promise((resolve) => (this.#onHeld = resolve));
  }

  release() {
    this.#release?.();
  }

  async *chat(request: ChatRequest, signal?: AbortSignal): AsyncIterable<ChatChunk> {
    this.requests.push(structuredClone(request));
    const script = this.script;
    const servedBy = script.servedBy ?? FAKE_HOST;
    if (script.refuseWith) throw script.refuseWith;
    const pieces = script.pieces ?? ["Hello", ", ", "world."];
    for (let i = 0; i < pieces.length; i++) {
      if (i === script.holdAfter) {
        this.#onHeld?.();
        await new Promise<void>((resolve, reject) => {
          this.#release = resolve;
          signal?.addEventListener("abort", () => reject(signal.reason), { once: true });
        });
      }
      await Promise.resolve();
      yield {
        content: pieces[i],
        done: false,
        servedBy,
        ...(i === 0 && script.failedOverFrom ? { failedOverFrom: script.failedOverFrom } : {}),
        ...(i === 0 && script.failoverReason ? { failoverReason: script.failoverReason } : {}),
      };
    }
    if (script.failWith) throw script.failWith;
    yield {
      content: "",
      done: true,
      servedBy,
      doneReason: "stop",
      stats: { evalCount: 42, evalDurationNs: 2_000_000_000 },
    };
  }
}
