/** Test support: conversation services on an in-memory mesh, with a scripted chat. */
import { EventHub, type LiveEvent } from "../../events/hub.ts";
import { silentLogger } from "../../log/logger.ts";
import { FakeClock } from "../../time/clock.ts";
import type { MemoryMesh } from "../../peers/testing/memory_mesh.ts";
import { ConversationStore } from "../../store/store.ts";
import { RecordVerifier } from "../../sync/record_signature.ts";
import { testKeyBinding, testSigner } from "../../sync/testing/test_keys.ts";
import { FakeChat } from "../../llm/testing/fake_chat.ts";
import type { AskEvent } from "../ask_event.ts";
import { createConversationService } from "../create_service.ts";
import type { ConversationService } from "../service.ts";

export interface Node {
  service: ConversationService;
  store: ConversationStore;
  chat: FakeChat;
  events: LiveEvent[];
  sharing: boolean;
}

export function node(
  mesh: MemoryMesh,
  id: string,
  name = id.toLowerCase(),
  store = ConversationStore.openPath(":memory:", { nodeId: id, signer: testSigner(id) }),
): Node {
  const chat = new FakeChat();
  const hub = new EventHub();
  const events: LiveEvent[] = [];
  hub.subscribe((event) => events.push(event));
  const n: Node = {
    store,
    chat,
    events,
    sharing: true,
    service: undefined as unknown as ConversationService,
  };
  n.service = createConversationService({
    nodeId: id,
    settings: () => ({ name, sharing: n.sharing }),
    store,
    bus: mesh.node(id, name),
    chat,
    events: hub,
    antiEntropyMs: 30_000,
    logger: silentLogger,
    timers: new FakeClock(),
    verifier: new RecordVerifier({ binding: testKeyBinding }),
  });
  n.service.start();
  return n;
}

export async function close(...nodes: Node[]) {
  for (const n of nodes) {
    await n.service.stop();
    n.store.close();
  }
}

export async function collect(stream: AsyncIterable<AskEvent>): Promise<AskEvent[]> {
  const events: AskEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}
