/**
 * Sync benchmarks for the bench runner, each signed (production) or unsigned (the baseline
 * for what record signatures cost): how long a node that missed `messages` messages takes to
 * catch up, and how long a new message takes to reach 10 peers, over a MemoryMesh (real frame
 * codec, SQLite stores). Prints nothing.
 */
import { summarize } from "./llm.ts";
import { MemoryMesh } from "../../../core/peers/testing/memory_mesh.ts";
import type { RecordValue } from "../../../core/sync/records.ts";
import { closeAll, meshNode, settle } from "../../support/sync_mesh.ts";

export interface CatchUpResult {
  messages: number;
  catchUpMs: number;
  messagesPerSec: number;
}

export async function benchCatchUp(
  options: { messages?: number; timeoutMs?: number; unsigned?: boolean } = {},
): Promise<CatchUpResult> {
  const messages = options.messages ?? 10_000;
  const dir = await Deno.makeTempDir({ prefix: "neuromesh-sync-bench-" });
  const mesh = new MemoryMesh();
  const unsigned = options.unsigned ?? false;
  const a = meshNode(mesh, "A", { dbPath: `${dir}/a.db`, unsigned });
  const b = meshNode(mesh, "B", { dbPath: `${dir}/b.db`, unsigned });
  try {
    const conversations = Math.ceil(messages / 100);
    for (let c = 0; c < conversations; c++) a.newConversation(`c${c}`);
    for (let start = 0; start < messages; start += 1000) {
      const values: RecordValue[] = [];
      for (let i = start; i < Math.min(messages, start + 1000); i++) {
        const stamp = a.hlc.now();
        values.push({
          type: "message",
          value: {
            id: `m${i}`,
            conversationId: `c${i % conversations}`,
            content: `message ${i}: `.padEnd(300, "lorem ipsum "),
            timestamp: new Date().toISOString(),
            sender: "A",
            messageType: i % 2 ? "Response" : "Question",
            hostInfo: { nodeId: "A", nodeName: "A", isLlmHost: false },
            originNode: "A",
            hlc: stamp,
            createdHlc: stamp,
            complete: true,
          },
        });
      }
      a.store.commitLocal(values); // written while B was away: no push
    }
    const target = a.store.versionVector().A;
    const started = performance.now();
    mesh.link("A", "B");
    const deadline = started + (options.timeoutMs ?? 120_000);
    while ((b.store.versionVector().A ?? 0) < target) {
      if (performance.now() > deadline) {
        throw new Error(`catch-up of ${messages} messages did not finish in time`);
      }
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    const catchUpMs = performance.now() - started;
    const held = b.store.counts().messages;
    if (held !== messages) {
      throw new Error(`B holds ${held} messages after catch-up, expected ${messages}`);
    }
    return { messages, catchUpMs, messagesPerSec: messages / (catchUpMs / 1000) };
  } finally {
    closeAll([a, b]);
    await Deno.remove(dir, { recursive: true });
  }
}

export interface PropagationResult {
  peers: number;
  messages: number;
  /** Per message: ms from committing on the origin until every peer applied it. */
  allPeersMs: ReturnType<typeof summarize>;
}

/**
 * A message written on one node until each of `peers` fully linked peers applied it, in one
 * process (in-memory SQLite, so the figure is the sync path itself: encode, verify, merge).
 */
export async function benchPropagation(
  options: { peers?: number; messages?: number; unsigned?: boolean } = {},
): Promise<PropagationResult> {
  const peers = options.peers ?? 10;
  const count = options.messages ?? 200;
  const unsigned = options.unsigned ?? false;
  const mesh = new MemoryMesh();
  const nodes = Array.from({ length: peers + 1 }, (_, i) => meshNode(mesh, `N${i}`, { unsigned }));
  const [origin, ...receivers] = nodes;
  try {
    mesh.linkAll();
    await settle();
    origin.newConversation("bench");
    await settle();
    const times: number[] = [];
    for (let i = -10; i < count; i++) {
      const id = `p${i}`;
      const started = performance.now();
      origin.say("bench", id, `propagation probe ${i}`);
      const deadline = started + 5_000;
      while (receivers.some((r) => r.store.message(id) === undefined)) {
        if (performance.now() > deadline) throw new Error(`message ${id} did not reach every peer`);
        await new Promise<void>((resolve) => queueMicrotask(resolve));
      }
      if (i >= 0) times.push(performance.now() - started); // the first ten warm up
    }
    return { peers, messages: count, allPeersMs: summarize(times) };
  } finally {
    closeAll(nodes);
  }
}
