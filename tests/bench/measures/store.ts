/**
 * Store benchmarks for the bench runner: append latency into a large store, cold start to
 * serving, and disk bytes per message. Functions return numbers and print nothing.
 */
import type { ChatMessage, ConversationHeader } from "../../../core/model/conversation.ts";
import { encodeHlc } from "../../../core/time/hlc.ts";
import type { RecordValue } from "../../../core/sync/records.ts";
import { ConversationStore, DATABASE_FILE } from "../../../core/store/store.ts";

const NODE = "BENCHNODE";
const HOST = { nodeId: NODE, nodeName: "bench", isLlmHost: false };
const BASE_MS = 1_700_000_000_000;
const SAMPLE_TEXT =
  "A typical chat message of a few sentences, about the length people ask or models answer in one go. ";

function header(index: number): ConversationHeader {
  return {
    id: `bench-c${index}`,
    title: `Benchmark conversation ${index}`,
    originNode: NODE,
    hostInfo: HOST,
    createdAt: new Date(BASE_MS + index).toISOString(),
    shared: true,
    hlc: encodeHlc({ wallMs: BASE_MS + index, counter: 0, nodeId: NODE }),
  };
}

function message(index: number, conversation: number, wallMs: number): ChatMessage {
  const stamp = encodeHlc({ wallMs, counter: index % 1000, nodeId: NODE });
  return {
    id: `bench-m${index}`,
    conversationId: `bench-c${conversation}`,
    content: SAMPLE_TEXT.repeat(1 + (index % 5)),
    timestamp: new Date(wallMs).toISOString(),
    sender: "bench",
    messageType: index % 2 === 0 ? "Question" : "Response",
    hostInfo: HOST,
    originNode: NODE,
    hlc: stamp,
    createdHlc: stamp,
    complete: true,
  };
}

/** Fills `<dir>/neuromesh.db` with `messages` messages in conversations of 100. */
export function prepareStore(dir: string, messages = 100_000): void {
  const store = ConversationStore.open(dir, { nodeId: NODE });
  try {
    const conversations = Math.ceil(messages / 100);
    const batch: RecordValue[] = [];
    for (let c = 0; c < conversations; c++) batch.push({ type: "conversation", value: header(c) });
    store.commitLocal(batch);
    for (let start = 0; start < messages; start += 2000) {
      const values: RecordValue[] = [];
      for (let i = start; i < Math.min(messages, start + 2000); i++) {
        values.push({ type: "message", value: message(i, i % conversations, BASE_MS + 1000 + i) });
      }
      store.commitLocal(values);
    }
  } finally {
    store.close();
  }
}

/** Latency of acknowledged single-message appends (each one committed and fsynced). */
export function measureAppend(
  dir: string,
  appends = 1000,
): { p50Ms: number; p99Ms: number; maxMs: number } {
  const store = ConversationStore.open(dir, { nodeId: NODE });
  try {
    const { messages } = store.counts();
    const times: number[] = [];
    for (let i = 0; i < appends; i++) {
      const index = messages + i;
      const value = message(index, i % 10, BASE_MS + 10_000_000 + i);
      const started = performance.now();
      store.commitLocal([{ type: "message", value }]);
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))];
    return { p50Ms: at(0.5), p99Ms: at(0.99), maxMs: times[times.length - 1] };
  } finally {
    store.close();
  }
}

/** Time from opening the store to serving the list and the newest conversation. */
export function measureColdStart(dir: string): number {
  const started = performance.now();
  const store = ConversationStore.open(dir, { nodeId: NODE });
  try {
    const summaries = store.summaries();
    const newest = summaries.reduce((
      a,
      b,
    ) => ((a.lastMessageHlc ?? "") >= (b.lastMessageHlc ?? "") ? a : b));
    store.messages(newest.header.id);
    return performance.now() - started;
  } finally {
    store.close();
  }
}

/** Database size on disk (after a checkpoint) divided by the number of messages. */
export function measureBytesPerMessage(dir: string): number {
  const store = ConversationStore.open(dir, { nodeId: NODE });
  const { messages } = store.counts();
  store.close();
  const size = (name: string) => {
    try {
      return Deno.statSync(`${dir}/${name}`).size;
    } catch {
      return 0;
    }
  };
  const total = size(DATABASE_FILE) + size(`${DATABASE_FILE}-wal`);
  return messages === 0 ? 0 : total / messages;
}

/**
 * Full-text search latency (20 hits with snippets) for a word every message holds — the worst
 * case: every message matches — and for a word none holds.
 */
export function measureSearch(
  dir: string,
  rounds = 30,
): { commonP50Ms: number; commonP99Ms: number; missP50Ms: number } {
  const store = ConversationStore.open(dir, { nodeId: NODE });
  try {
    const timed = (query: string) => {
      const times: number[] = [];
      for (let i = 0; i < rounds; i++) {
        const started = performance.now();
        store.searchMessages(query, 20);
        times.push(performance.now() - started);
      }
      times.sort((a, b) => a - b);
      return (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))];
    };
    const common = timed("typical");
    const miss = timed("xylophone");
    return { commonP50Ms: common(0.5), commonP99Ms: common(0.99), missP50Ms: miss(0.5) };
  } finally {
    store.close();
  }
}

export interface StoreBenchResult {
  messages: number;
  appendP50Ms: number;
  appendP99Ms: number;
  coldStartMs: number;
  bytesPerMessage: number;
  search: ReturnType<typeof measureSearch>;
}

/** All store measurements on a fresh temporary store of `messages` messages (removed after). */
export async function benchStore(
  options: { messages?: number; appends?: number } = {},
): Promise<StoreBenchResult> {
  const messages = options.messages ?? 100_000;
  const dir = await Deno.makeTempDir({ prefix: "neuromesh-store-bench-" });
  try {
    prepareStore(dir, messages);
    const append = measureAppend(dir, options.appends ?? 1000);
    return {
      messages,
      appendP50Ms: append.p50Ms,
      appendP99Ms: append.p99Ms,
      coldStartMs: measureColdStart(dir),
      bytesPerMessage: measureBytesPerMessage(dir),
      search: measureSearch(dir),
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
