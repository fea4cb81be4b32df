/**
 * Test support: N replicas doing random conversation edits while a lossy, duplicating,
 * reordering network carries real-time pushes (relayed once by each receiver) and cut-short
 * anti-entropy exchanges; full anti-entropy rounds at the end. Used by the merge property test
 * (MemoryReplica) and by the store's differential test (SQLite replicas).
 */
import type { ChatMessage, ConversationHeader } from "../../model/conversation.ts";
import { applyReply, buildReply } from "../anti_entropy.ts";
import { HybridClock } from "../../time/hlc.ts";
import { canonicalJson, type ReplicaContent } from "../merge.ts";
import type { RecordValue, SyncRecord } from "../records.ts";
import type { Replica } from "../replica.ts";

export type SimReplica =
  | Replica & { content: ReplicaContent }
  | Replica & { snapshot(): ReplicaContent };

export function contentOf(replica: SimReplica): ReplicaContent {
  return "snapshot" in replica ? replica.snapshot() : replica.content;
}

/** mulberry32: small, fast, seeded. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SimulationResult {
  replicas: SimReplica[];
  /** Canonical text of each replica's content after the final rounds. */
  finals: string[];
  /** Records that changed anything in a last extra anti-entropy round (should be 0). */
  lateWinners: number;
  operations: number;
}

interface Packet {
  from: number;
  to: number;
  records: SyncRecord[];
}

export function canonicalContent(content: ReplicaContent): string {
  const sorted = <T>(map: Map<string, T>) =>
    [...map.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
  return canonicalJson({
    headers: sorted(content.headers),
    messages: sorted(content.messages),
    threads: sorted(content.threads),
    tombstones: sorted(content.tombstones),
  });
}

export function simulate(
  seed: number,
  makeReplica: (nodeId: string) => SimReplica,
): SimulationResult {
  const random = prng(seed);
  const int = (n: number) => Math.floor(random() * n);
  const pick = <T>(items: T[]): T | undefined =>
    items.length ? items[int(items.length)] : undefined;
  const count = 3 + int(3);
  const ids = Array.from({ length: count }, (_, i) => `N${i}`);
  const replicas = ids.map(makeReplica);
  let wall = 1_700_000_000_000;
  const skews = ids.map(() => int(2000) - 1000);
  const clocks = ids.map((id, i) => new HybridClock(id, { wallClock: () => wall + skews[i] }));
  const network: Packet[] = [];
  const batchLimits = { maxRecords: 1 + int(4), maxBytes: 1024 * 1024 };
  let serial = 0;
  let operations = 0;

  const send = (from: number, records: SyncRecord[], except?: number) => {
    if (records.length === 0) return;
    for (let to = 0; to < count; to++) {
      if (to !== from && to !== except) {
        network.push({ from, to, records: structuredClone(records) });
      }
    }
  };
  const receive = (packet: Packet) => {
    for (const record of packet.records) clocks[packet.to].receive(record.value.hlc);
    const winners = replicas[packet.to].applyRemote(packet.records);
    send(packet.to, winners, packet.from); // relay what was new, once
  };
  const exchange = (puller: number, server: number, cutAfter = Infinity) => {
    const batches = buildReply(replicas[server], replicas[puller].versionVector(), batchLimits);
    batches.slice(0, cutAfter).forEach((batch) => {
      for (const record of batch.records) clocks[puller].receive(record.value.hlc);
      applyReply(replicas[puller], structuredClone(batch), ids[server]);
    });
  };
  const commit = (i: number, values: RecordValue[]) => {
    operations++;
    send(i, replicas[i].commitLocal(values));
  };

  const operate = (i: number) => {
    const content = contentOf(replicas[i]);
    const clock = clocks[i];
    const node = ids[i];
    // Only a conversation's owner writes it (authority.ts): each node changes its own ones.
    const conversations = [...content.headers.values()].filter((c) => c.originNode === node);
    const host = { nodeId: node, nodeName: node, isLlmHost: false };
    const choice = random();
    if (choice < 0.2 || conversations.length === 0) {
      const header: ConversationHeader = {
        id: `c${seed}-${serial++}`,
        title: `title ${int(100)}`,
        originNode: node,
        hostInfo: host,
        createdAt: new Date(wall).toISOString(),
        shared: true,
        hlc: clock.now(),
      };
      commit(i, [{ type: "conversation", value: header }]);
    } else if (choice < 0.5) {
      const conversation = pick(conversations)!;
      const hlc = clock.now();
      const message: ChatMessage = {
        id: `m${seed}-${serial++}`,
        conversationId: conversation.id,
        content: `text ${int(1000)}`,
        timestamp: new Date(wall).toISOString(),
        sender: node,
        messageType: random() < 0.5 ? "Question" : "Response",
        hostInfo: host,
        originNode: node,
        hlc,
        createdHlc: hlc,
        complete: random() < 0.6,
      };
      commit(i, [{ type: "message", value: message }]);
    } else if (choice < 0.7) {
      const growing = [...content.messages.values()].filter((m) =>
        !m.complete && m.originNode === node
      );
      const message = pick(growing);
      if (!message) return;
      const grown = {
        ...message,
        content: `${message.content}+${int(10)}`,
        hlc: clock.now(),
        complete: random() < 0.4,
      };
      commit(i, [{ type: "message", value: grown }]);
    } else if (choice < 0.8) {
      // A new version selected: the thread of one of its conversations (last writer wins).
      const conversation = pick(conversations)!;
      const own = [...content.messages.values()].filter((m) =>
        m.conversationId === conversation.id
      );
      const version = pick(own);
      const parent = pick(own);
      commit(i, [{
        type: "thread",
        value: {
          conversationId: conversation.id,
          originNode: node,
          hlc: clock.now(),
          parents: version && parent ? { [version.id]: parent.id } : {},
          selected: version && parent ? { [parent.id]: version.id } : {},
          settings: { temperature: int(20) / 10, systemPrompt: `prompt ${int(100)}` },
        },
      }]);
    } else if (choice < 0.9) {
      const header = pick(conversations)!;
      commit(i, [{
        type: "conversation",
        value: { ...header, title: `renamed ${int(100)} by ${node}`, hlc: clock.now() },
      }]);
    } else {
      const header = pick(conversations)!;
      commit(i, [{
        type: "tombstone",
        value: { conversationId: header.id, hlc: clock.now(), deletedBy: node },
      }]);
    }
  };

  const steps = 20 + int(50);
  for (let step = 0; step < steps; step++) {
    wall += int(50);
    const action = random();
    if (action < 0.4) {
      operate(int(count));
    } else if (action < 0.9 && network.length > 0) {
      const packet = network.splice(int(network.length), 1)[0];
      const fate = random();
      if (fate < 0.15) continue; // lost
      receive(packet);
      if (fate > 0.85) network.push({ ...packet, records: structuredClone(packet.records) }); // duplicated
    } else {
      const [a, b] = [int(count), int(count)];
      if (a !== b) exchange(a, b, random() < 0.5 ? int(3) : Infinity);
    }
  }
  // What is still in flight arrives in random order, some of it lost.
  while (network.length > 0) {
    const packet = network.splice(int(network.length), 1)[0];
    if (random() < 0.8) receive(packet);
  }
  // Retry: full anti-entropy rounds, every replica pulling from every other.
  network.length = 0;
  for (let round = 0; round < 2; round++) {
    for (let a = 0; a < count; a++) for (let b = 0; b < count; b++) if (a !== b) exchange(a, b);
  }
  let lateWinners = 0;
  for (let a = 0; a < count; a++) {
    for (let b = 0; b < count; b++) {
      if (a === b) continue;
      for (const batch of buildReply(replicas[b], replicas[a].versionVector(), batchLimits)) {
        lateWinners += applyReply(replicas[a], batch, ids[b]).length;
      }
    }
  }
  return {
    replicas,
    finals: replicas.map((r) => canonicalContent(contentOf(r))),
    lateWinners,
    operations,
  };
}
