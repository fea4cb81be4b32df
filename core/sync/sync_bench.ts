/**
 * Sync benchmark for the bench runner: how long a node that missed `messages` messages takes
 * to catch up over a MemoryMesh (real frame codec, SQLite stores on disk). Prints nothing.
 */
import { MemoryMesh } from "../peers/memory_mesh.ts";
import type { RecordValue } from "./records.ts";
import { closeAll, meshNode } from "./_mesh_nodes.ts";

export interface CatchUpResult {
  messages: number;
  catchUpMs: number;
  messagesPerSec: number;
}

export async function benchCatchUp(
  options: { messages?: number; timeoutMs?: number } = {},
): Promise<CatchUpResult> {
  const messages = options.messages ?? 10_000;
  const dir = await Deno.makeTempDir({ prefix: "neuromesh-sync-bench-" });
  const mesh = new MemoryMesh();
  const a = meshNode(mesh, "A", { dbPath: `${dir}/a.db` });
  const b = meshNode(mesh, "B", { dbPath: `${dir}/b.db` });
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
