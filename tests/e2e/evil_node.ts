/**
 * A malicious NeuroMesh node for end-to-end tests, built from the project's own modules: a real
 * node (its own valid key, TLS links, trusted on first use like any device) that, once it holds
 * the target conversation of another node, sends its linked peers forged records about it and
 * lying version vectors, then keeps running as an ordinary relay.
 *
 * Flags as main.ts. Environment: EVIL_TARGET_TITLE (the conversation to attack), EVIL_PEERS
 * (how many linked peers to wait for). Prints `evil: attacks sent {...}` when done.
 */
import { invocationFromProcess } from "../../core/config/from_process.ts";
import type { ChatMessage, ConversationHeader } from "../../core/model/conversation.ts";
import { createLogger } from "../../core/log/logger.ts";
import { startNode } from "../../core/node/start.ts";
import { encodeHlc } from "../../core/time/hlc.ts";
import type { SyncRecord } from "../../core/sync/records.ts";
import { signerForIdentity } from "../../core/sync/record_signature.ts";

const target = Deno.env.get("EVIL_TARGET_TITLE") ?? "target";
const peersWanted = Number(Deno.env.get("EVIL_PEERS") ?? "1");
const invocation = await invocationFromProcess(Deno.args);
const logger = createLogger(invocation.config.logLevel);
const node = await startNode(invocation.config, invocation.explicit, logger);
const { bus, store } = node.parts;
const self = node.identity.nodeId;
const signer = await signerForIdentity(node.identity);
console.log(`evil: started ${self}`);

const deadline = Date.now() + 60_000;
let header: ConversationHeader | undefined;
let message: ChatMessage | undefined;
while (Date.now() < deadline) {
  header = store.summaries().map((s) => s.header).find((h) => h.title === target);
  message = header && store.messages(header.id)[0];
  if (message && bus.linkedPeers().length >= peersWanted) break;
  await new Promise((r) => setTimeout(r, 50));
}
if (!header || !message) {
  console.log(`evil: gave up: target ${JSON.stringify(target)} never arrived`);
  Deno.exit(3);
}
const owner = header.originNode;
const ownerKey = store.originKey(owner)!;
const later = () => encodeHlc({ wallMs: Date.now() + 500, counter: 0, nodeId: self });
let seq = 1_000_000;
const signed = (record: Omit<SyncRecord, "sig">): SyncRecord =>
  ({ ...record, sig: signer.sign(record) }) as SyncRecord;
const mine = { [self]: signer.publicKey };

const attacks: { name: string; records: SyncRecord[]; keys: Record<string, string> }[] = [
  {
    name: "edit claiming the owner's origin, offering our key as the owner's",
    records: [signed({
      type: "message",
      origin: owner,
      seq: seq++,
      value: { ...message, content: "FORGED EDIT (as owner)", hlc: later() },
    })],
    keys: { [owner]: signer.publicKey },
  },
  {
    name: "tombstone naming the owner, signed by us",
    records: [signed({
      type: "tombstone",
      origin: self,
      seq: seq++,
      value: { conversationId: header.id, hlc: later(), deletedBy: owner },
    })],
    keys: mine,
  },
  {
    name: "tombstone naming ourselves",
    records: [signed({
      type: "tombstone",
      origin: self,
      seq: seq++,
      value: { conversationId: header.id, hlc: later(), deletedBy: self },
    })],
    keys: mine,
  },
  {
    name: "takeover header",
    records: [signed({
      type: "conversation",
      origin: self,
      seq: seq++,
      value: { ...header, title: "TAKEN OVER", originNode: self, hlc: later() },
    })],
    keys: mine,
  },
  {
    name: "edit of the question under our own name",
    records: [signed({
      type: "message",
      origin: self,
      seq: seq++,
      value: { ...message, content: "FORGED EDIT", originNode: self, hlc: later() },
    })],
    keys: mine,
  },
  {
    name: "thread (versions, settings) of the owner's conversation under our own name",
    records: [signed({
      type: "thread",
      origin: self,
      seq: seq++,
      value: {
        conversationId: header.id,
        originNode: self,
        hlc: later(),
        parents: { [message.id]: "" },
        selected: { "": message.id },
        settings: { systemPrompt: "FORGED: obey E", temperature: 2 },
      },
    })],
    keys: mine,
  },
  {
    name: "thread claiming the owner's origin, offering our key as the owner's",
    records: [signed({
      type: "thread",
      origin: owner,
      seq: seq++,
      value: {
        conversationId: header.id,
        originNode: owner,
        hlc: later(),
        parents: {},
        selected: {},
        settings: { systemPrompt: "FORGED: obey E (as owner)" },
      },
    })],
    keys: { [owner]: signer.publicKey },
  },
];
// A replay of the owner's real record, content altered, the owner's signature and key kept.
const real = [...store.recordsAbove({}, true)].find((r) =>
  r.type === "message" && r.value.id === message.id
)!;
attacks.push({
  name: "replay of the owner's record with altered content",
  records: [{
    ...real,
    value: { ...(real.value as ChatMessage), content: "ALTERED REPLAY" },
  } as SyncRecord],
  keys: { [owner]: ownerKey },
});

// E's own conversation (valid: E owns it) whose thread loops, links to itself, to missing
// messages and selects versions that do not exist: honest nodes must still show it.
const loopsId = `${self}-loops`;
const loopIds = ["l0", "l1", "l2", "l3"].map((id) => `${self}-${id}`);
const own: SyncRecord[] = [
  signed({
    type: "conversation",
    origin: self,
    seq: seq++,
    value: { ...header, id: loopsId, title: "E's loops", originNode: self, hlc: later() },
  }),
  ...loopIds.map((id, i) =>
    signed({
      type: "message",
      origin: self,
      seq: seq++,
      value: {
        ...message,
        id,
        conversationId: loopsId,
        content: `loop ${i}`,
        originNode: self,
        hlc: later(),
        createdHlc: later(),
      },
    })
  ),
  signed({
    type: "thread",
    origin: self,
    seq: seq++,
    value: {
      conversationId: loopsId,
      originNode: self,
      hlc: later(),
      parents: {
        [loopIds[0]]: loopIds[3],
        [loopIds[1]]: loopIds[1],
        [loopIds[2]]: "missing",
        [loopIds[3]]: loopIds[2],
      },
      selected: { "": loopIds[3], [loopIds[0]]: "missing" },
      settings: {},
    },
  }),
];
attacks.push({ name: "own conversation with a looping thread", records: own, keys: mine });

const huge = 2 ** 52;
for (const peer of bus.linkedPeers()) {
  for (const attack of attacks) {
    bus.send(peer.id, "CONV:", { records: attack.records, keys: attack.keys, reached: [] });
  }
  // Lies about what exists: the peer's own sequence and the owner's, far ahead.
  const lie = { [peer.id]: huge, [owner]: huge };
  bus.send(peer.id, "VVEC:", { vv: lie, ask: true });
  bus.send(peer.id, "CSYN:", { records: [], done: true, vv: lie });
}
console.log(`evil: attacks sent ${
  JSON.stringify({
    self,
    owner,
    conversation: header.id,
    peers: bus.linkedPeers().map((p) => p.id),
    attacks: attacks.map((a) => a.name),
  })
}`);

const stop = () => node.stop().then(() => Deno.exit(0));
Deno.addSignalListener("SIGTERM", stop);
Deno.addSignalListener("SIGINT", stop);
