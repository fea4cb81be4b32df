/**
 * Child process of the crash test: appends messages as fast as it can and prints each id only
 * after the store acknowledged it (the commit returned). The parent kills it with SIGKILL.
 * With "mixed", every second message arrives as a record of another node (applyRemote, which
 * does not wait for the disk: it must still survive the crash of this process).
 */
import { encodeHlc } from "../../time/hlc.ts";
import { ConversationStore } from "../store.ts";

const [dataDir, mode] = Deno.args;
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
  const remote = mode === "mixed" && i % 2 === 0;
  const origin = remote ? "PEER" : "CRASH";
  const value = {
    id,
    conversationId: "burst",
    content: `message ${i} `.repeat(20),
    timestamp: new Date(1_700_000_000_000 + i).toISOString(),
    sender: "crash",
    messageType: "Question" as const,
    hostInfo: host,
    originNode: origin,
    hlc: at(i),
    createdHlc: at(i),
    complete: true,
  };
  if (remote) store.applyRemote([{ type: "message", origin, seq: i / 2, value }]);
  else store.commitLocal([{ type: "message", value }]);
  Deno.stdout.writeSync(out.encode(`${id}\n`));
}
