/** Test and bench support: nodes with a store and a sync engine on a MemoryMesh. */
import type { ChatMessage, ConversationHeader } from "../../core/model/conversation.ts";
import { type Logger, silentLogger } from "../../core/log/logger.ts";
import { FakeClock } from "../../core/time/clock.ts";
import type { MemoryBus, MemoryMesh } from "../../core/peers/testing/memory_mesh.ts";
import type { PeerRef } from "../../core/peers/bus.ts";
import { ConversationStore } from "../../core/store/store.ts";
import { HybridClock } from "../../core/time/hlc.ts";
import type { RecordValue } from "../../core/sync/records.ts";
import { SyncEngine } from "../../core/sync/sync_engine.ts";
import { RecordVerifier } from "../../core/sync/record_signature.ts";
import { acceptAll, testKeyBinding, testSigner } from "../../core/sync/testing/test_keys.ts";

export interface MeshNode {
  id: string;
  store: ConversationStore;
  engine: SyncEngine;
  hlc: HybridClock;
  /** The node's end of the in-memory mesh (tests may listen to what it receives). */
  bus: MemoryBus;
  sharing: boolean;
  /** Commits this node's own changes and pushes them, as the conversation service does. */
  write(values: RecordValue[]): void;
  newConversation(id: string, shared?: boolean): ConversationHeader;
  say(conversationId: string, id: string, content?: string): ChatMessage;
}

export function meshNode(
  mesh: MemoryMesh,
  id: string,
  options: {
    timers?: FakeClock;
    logger?: Logger;
    antiEntropyMs?: number;
    dbPath?: string;
    onForgery?: (from: PeerRef, problem: string) => void;
    /** Neither sign nor verify (the bench's baseline for what signing costs). */
    unsigned?: boolean;
  } = {},
): MeshNode {
  const bus = mesh.node(id);
  const store = ConversationStore.openPath(options.dbPath ?? ":memory:", {
    nodeId: id,
    signer: options.unsigned ? undefined : testSigner(id),
  });
  const hlc = new HybridClock(id);
  const node: MeshNode = {
    id,
    store,
    hlc,
    bus,
    sharing: true,
    engine: undefined as unknown as SyncEngine,
    write(values) {
      node.engine.publish(store.commitLocal(values));
    },
    newConversation(conversationId, shared = true) {
      const header: ConversationHeader = {
        id: conversationId,
        title: `conversation ${conversationId}`,
        originNode: id,
        hostInfo: { nodeId: id, nodeName: id, isLlmHost: false },
        createdAt: new Date().toISOString(),
        shared,
        hlc: hlc.now(),
      };
      node.write([{ type: "conversation", value: header }]);
      return header;
    },
    say(conversationId, messageId, content = `said ${messageId}`) {
      const stamp = hlc.now();
      const message: ChatMessage = {
        id: messageId,
        conversationId,
        content,
        timestamp: new Date().toISOString(),
        sender: id,
        messageType: "Question",
        hostInfo: { nodeId: id, nodeName: id, isLlmHost: false },
        originNode: id,
        hlc: stamp,
        createdHlc: stamp,
        complete: true,
      };
      node.write([{ type: "message", value: message }]);
      return message;
    },
  };
  node.engine = new SyncEngine({
    replica: store,
    bus,
    verifier: options.unsigned ? acceptAll : new RecordVerifier({ binding: testKeyBinding }),
    onForgery: options.onForgery,
    sharing: () => node.sharing,
    antiEntropyMs: options.antiEntropyMs ?? 30_000,
    logger: options.logger ?? silentLogger,
    hlc,
    timers: options.timers ?? new FakeClock(),
  });
  node.engine.start();
  return node;
}

/** Lets every in-flight MemoryMesh delivery (microtasks) run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setTimeout(resolve, 0));
}

export function closeAll(nodes: MeshNode[]): void {
  for (const node of nodes) {
    node.engine.stop();
    node.store.close();
  }
}
