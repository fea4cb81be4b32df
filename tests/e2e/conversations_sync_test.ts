/**
 * Conversation sync end to end: real NeuroMesh processes in their own network namespaces.
 * Questions are typed through the HTTP API with no LLM in the mesh: the question is stored and
 * acknowledged (the `question` line of the answer stream), the answer then fails with no_host.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { netnsUnavailableReason, requires } from "../support/ci.ts";
import { ip, type LabHost, type LabNode, waitFor, withLab } from "./lab.ts";

const gate = requires(netnsUnavailableReason());
const e2e = { ...gate, sanitizeResources: false, sanitizeOps: false };

interface Message {
  id: string;
  content: string;
  messageType: "Question" | "Response";
}

async function newConversation(node: LabNode, title: string): Promise<string> {
  const res = await fetch(`${node.url}/api/conversations`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ title }),
  });
  assert.equal(res.status, 201, `create conversation on ${node.host.name}`);
  return (await res.json()).id;
}

/**
 * Asks a question and returns its id once the node acknowledged it (the `question` line, sent
 * after the question is durably stored); reads the rest of the stream so the next ask is free.
 */
async function ask(node: LabNode, conversationId: string, content: string): Promise<string> {
  const res = await fetch(`${node.url}/api/conversations/${conversationId}/messages`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ content }),
  });
  assert.equal(res.status, 200, `ask on ${node.host.name}: HTTP ${res.status}`);
  const text = await res.text();
  const question = text.split("\n").filter(Boolean).map((line) => JSON.parse(line))
    .find((event) => event.type === "question");
  assert.ok(question, `no question line in ${text.slice(0, 200)}`);
  return question.message.id;
}

/** Like ask(), but resolves as soon as the question line arrives (for the crash burst). */
async function askAcknowledged(node: LabNode, conversationId: string, content: string) {
  const res = await fetch(`${node.url}/api/conversations/${conversationId}/messages`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ content }),
  });
  if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  try {
    while (true) {
      const { value, done } = await reader.read();
      if (done) throw new Error("stream ended before the question line");
      buffered += value;
      for (const line of buffered.split("\n").slice(0, -1)) {
        const event = JSON.parse(line);
        if (event.type === "question") return event.message.id as string;
      }
    }
  } finally {
    // Drain the rest (the answer fails fast with no LLM) so the conversation is free again.
    (async () => {
      while (!(await reader.read().catch(() => ({ done: true }))).done) { /* discard */ }
    })();
  }
}

async function messagesOf(node: LabNode, conversationId: string): Promise<Message[]> {
  const res = await fetch(`${node.url}/api/conversations/${conversationId}`);
  if (res.status === 404) {
    await res.body?.cancel();
    return [];
  }
  assert.equal(res.status, 200);
  return (await res.json()).messages;
}

/** JSON with sorted keys: the same records compare equal whichever node serialized them. */
function canonical(value: unknown): string {
  return JSON.stringify(
    value,
    (_key, v) =>
      v && typeof v === "object" && !Array.isArray(v)
        ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
        : v,
  );
}

function questionIds(messages: Message[]): string[] {
  return messages.filter((m) => m.messageType === "Question").map((m) => m.id);
}

/** Blocks unicast between two hosts both ways (broadcast still passes, as on a flaky LAN). */
async function cut(a: LabHost, b: LabHost, on: boolean) {
  const verb = on ? "add" : "del";
  await ip("-n", a.ns, "route", verb, "blackhole", `${b.address}/32`);
  await ip("-n", b.ns, "route", verb, "blackhole", `${a.address}/32`);
}

async function fullMesh(nodes: LabNode[]): Promise<boolean> {
  const statuses = await Promise.all(nodes.map((n) => n.status()));
  return statuses.every((s) => s.peers.filter((p) => p.state === "up").length === nodes.length - 1);
}

Deno.test({
  name: "a message typed on A is on B and C",
  ...e2e,
  async fn() {
    await withLab(3, async (lab) => {
      await lab.startAll();
      const [a, b, c] = lab.hosts.map((h) => h.node);
      await waitFor("full mesh", () => fullMesh([a, b, c]), 5_000);
      const id = await newConversation(a, "hello mesh");
      const questionId = await ask(a, id, "typed on A");
      const ms = await waitFor(
        "question on B and C",
        async () => {
          for (const node of [b, c]) {
            if (!questionIds(await messagesOf(node, id)).includes(questionId)) return false;
          }
          return true;
        },
        5_000,
        5,
      );
      console.log(`question on B and C ${ms.toFixed(0)} ms after A acknowledged it`);
      const onB = await messagesOf(b, id);
      assert.equal(onB.find((m) => m.id === questionId)?.content, "typed on A");
      // Received conversations are listed under their origin.
      const list = await (await fetch(`${c.url}/api/conversations`)).json();
      const fromA = list.received.find((group: { peer: { name: string } }) =>
        group.peer.name === "node1"
      );
      assert.ok(fromA?.conversations.some((conv: { id: string }) => conv.id === id));
    });
  },
});

Deno.test({
  name: "partition, writes on both sides, heal: all converge within 5 s, every message once",
  ...e2e,
  async fn() {
    await withLab(4, async (lab) => {
      await lab.startAll();
      const hosts = lab.hosts;
      const nodes = hosts.map((h) => h.node);
      await waitFor("full mesh", () => fullMesh(nodes), 5_000);
      // Each node writes in a conversation of its own (a received one is read-only).
      const owned = await Promise.all(nodes.map((n, k) => newConversation(n, `from node${k + 1}`)));
      const allQuestions = async (node: LabNode) =>
        (await Promise.all(owned.map(async (id) => questionIds(await messagesOf(node, id)))))
          .flat();
      const before: string[] = [];
      for (let k = 0; k < nodes.length; k++) {
        before.push(await ask(nodes[k], owned[k], `before ${k}`));
      }
      await waitFor(
        "everything everywhere before the cut",
        async () => {
          for (const node of nodes) {
            const all = await allQuestions(node);
            if (!before.every((id) => all.includes(id))) return false;
          }
          return true;
        },
        5_000,
        25,
      );

      // Partition {1,2} | {3,4}.
      for (const left of hosts.slice(0, 2)) {
        for (const right of hosts.slice(2)) await cut(left, right, true);
      }
      const written: string[] = [...before];
      for (let i = 0; i < 5; i++) {
        for (let k = 0; k < nodes.length; k++) {
          written.push(await ask(nodes[k], owned[k], `during ${k}.${i}`));
        }
      }
      // Long enough for the links across the cut to be declared lost.
      await waitFor(
        "links across the cut lost",
        async () => {
          const s = await nodes[0].status();
          return s.peers.filter((p) => p.state === "up").length === 1;
        },
        15_000,
        200,
      );
      const rightSeenOnLeft = questionIds(await messagesOf(nodes[0], owned[2]));
      assert.equal(rightSeenOnLeft.length, 1, "node1 sees none of node3's partition writes");
      for (const k of [0, 1]) written.push(await ask(nodes[k], owned[k], `late ${k}`));

      // Heal.
      for (const left of hosts.slice(0, 2)) {
        for (const right of hosts.slice(2)) await cut(left, right, false);
      }
      const healedAt = performance.now();
      await waitFor(
        "all converge",
        async () => {
          for (const node of nodes) {
            const all = await allQuestions(node);
            if (!written.every((id) => all.includes(id))) return false;
          }
          return true;
        },
        5_000,
        50,
      );
      console.log(`converged ${(performance.now() - healedAt).toFixed(0)} ms after healing`);
      for (const node of nodes) {
        for (const conversation of owned) {
          const ids = (await messagesOf(node, conversation)).map((m) => m.id);
          assert.equal(new Set(ids).size, ids.length, `${node.host.name}: a message twice`);
        }
      }
      for (const conversation of owned) {
        const reference = canonical(await messagesOf(nodes[0], conversation));
        for (const node of nodes.slice(1)) {
          assert.equal(
            canonical(await messagesOf(node, conversation)),
            reference,
            `${node.host.name} differs`,
          );
        }
      }
    });
  },
});

Deno.test({
  name: "a node killed with SIGKILL during a burst of writes keeps every acknowledged message",
  ...e2e,
  async fn() {
    await withLab(2, async (lab) => {
      await lab.startAll();
      const [a, b] = lab.hosts.map((h) => h.node);
      await waitFor("linked", () => fullMesh([a, b]), 5_000);
      const conversations = await Promise.all(
        [0, 1, 2, 3].map((k) => newConversation(a, `burst ${k}`)),
      );
      const acknowledged: { conversation: string; id: string }[] = [];
      let stop = false;
      const writers = conversations.map(async (conversation, k) => {
        for (let i = 0; i < 200 && !stop; i++) {
          try {
            acknowledged.push({
              conversation,
              id: await askAcknowledged(a, conversation, `burst ${k}.${i}`),
            });
          } catch {
            return; // the node died under us: this write was not acknowledged
          }
        }
      });
      await waitFor("some writes acknowledged", () => acknowledged.length >= 40, 20_000, 10);
      await a.stop("SIGKILL");
      stop = true;
      await Promise.all(writers);
      console.log(`${acknowledged.length} writes acknowledged before SIGKILL`);

      // The database is intact after the crash.
      const db = new DatabaseSync(`${a.dataDir}/neuromesh.db`);
      try {
        const rows = db.prepare("PRAGMA integrity_check").all() as { integrity_check: string }[];
        assert.deepEqual(rows.map((r) => r.integrity_check), ["ok"]);
      } finally {
        db.close();
      }

      await a.start();
      for (const conversation of conversations) {
        const stored = questionIds(await messagesOf(a, conversation));
        const expected = acknowledged.filter((w) => w.conversation === conversation).map((w) =>
          w.id
        );
        const missing = expected.filter((id) => !stored.includes(id));
        assert.deepEqual(missing, [], `acknowledged but lost after SIGKILL`);
      }
      // And B, which got them in real time or catches up after the restart, has them too.
      await waitFor(
        "B has every acknowledged message",
        async () => {
          for (const conversation of conversations) {
            const onB = questionIds(await messagesOf(b, conversation));
            const expected = acknowledged.filter((w) => w.conversation === conversation).map((w) =>
              w.id
            );
            if (!expected.every((id) => onB.includes(id))) return false;
          }
          return true;
        },
        10_000,
        100,
      );
    });
  },
});

Deno.test({
  name: "conversations relay through a middle node when the ends cannot reach each other",
  ...e2e,
  async fn() {
    await withLab(3, async (lab) => {
      const [a, b, c] = lab.hosts;
      // A and C hear each other's broadcasts but cannot link: only B links to both.
      await cut(a, c, true);
      await lab.startAll();
      await waitFor(
        "A–B and B–C linked",
        async () => {
          const [sa, sb, sc] = await Promise.all([
            a.node.status(),
            b.node.status(),
            c.node.status(),
          ]);
          return sb.peers.filter((p) => p.state === "up").length === 2 &&
            sa.peers.filter((p) => p.state === "up").length === 1 &&
            sc.peers.filter((p) => p.state === "up").length === 1;
        },
        10_000,
        100,
      );
      const fromA = await newConversation(a.node, "from A");
      const questionA = await ask(a.node, fromA, "A to C through B");
      const fromC = await newConversation(c.node, "from C");
      const questionC = await ask(c.node, fromC, "C to A through B");
      const ms = await waitFor(
        "relayed both ways",
        async () =>
          questionIds(await messagesOf(c.node, fromA)).includes(questionA) &&
          questionIds(await messagesOf(a.node, fromC)).includes(questionC),
        5_000,
        10,
      );
      console.log(`relayed through B both ways within ${ms.toFixed(0)} ms`);
      const upOnA = (await a.node.status()).peers.filter((p) => p.state === "up").map((p) =>
        p.name
      );
      assert.deepEqual(upOnA, ["node2"], "A never linked to C directly");
    });
  },
});
