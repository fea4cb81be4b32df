/**
 * Child process of the crash test: appends messages as fast as it can and prints each id only
 * after the store acknowledged it (the commit returned). The parent kills it with SIGKILL.
 */
import { encodeHlc } from "../../time/hlc.ts";
import { ConversationStore } from "../store.ts";

const [dataDir] = Deno.args;
const store = ConversationStore.open(dataDir, { nodeId: "CRASH" });
const host = { nodeId: "CRASH", nodeName: "crash", isLlmHost: false };
const at = (i: number) => encodeHlc({ wallMs: 1_700_000_000_000 + i, counter: 0, nodeId: "CRASH" });
store.commitLocal([{
  type: "conversation",
  value: {
    id: "burst",
    title: "burst",
    originNode: "CRASH",
    hostInfo: host,
    createdAt: "2025-01-01T00:00:00Z",
    shared: true,
    hlc: at(0),
  },
}]);
const out = new TextEncoder();
for (let i = 1; i <= 1_000_000; i++) {
  const id = `m${i}`;
  store.commitLocal([{
    type: "message",
    value: {
      id,
      conversationId: "burst",
      content: `message ${i} `.repeat(20),
      timestamp: new Date(1_700_000_000_000 + i).toISOString(),
      sender: "crash",
      messageType: "Question",
      hostInfo: host,
      originNode: "CRASH",
      hlc: at(i),
      createdHlc: at(i),
      complete: true,
    },
  }]);
  Deno.stdout.writeSync(out.encode(`${id}\n`));
}
