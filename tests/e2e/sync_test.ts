/**
 * Conversation sync end to end (issue 4): real NeuroMesh processes, each in its own network
 * namespace, driven through their HTTP API. There is no LLM in these meshes: a question is
 * still stored, acknowledged (the `question` line of the answer stream) and synced, and its
 * answer is stored as a failed response (no_host), which syncs too.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { canonicalJson } from "../../core/sync/merge.ts";
import { netnsUnavailableReason, requires } from "../support/ci.ts";
import { type LabHost, waitFor, withLab } from "./lab.ts";
import {
  allConversations,
  type ApiConversation,
  ask,
  askQuestion,
  askUntilAcknowledged,
  createConversation,
  duplicates,
  getConversation,
  listConversations,
  replicated,
} from "./sync_client.ts";
import { ArrivalWatcher, formatSpread } from "./sync_events.ts";
import { fullMeshOf, setCut, setPartition, waitForLinks } from "./sync_lab.ts";

const e2e = {
  ...requires(netnsUnavailableReason()),
  sanitizeResources: false,
  sanitizeOps: false,
};

/** What every node should hold identically: all conversations, as the author wrote them. */
async function replicaOf(host: LabHost): Promise<string> {
  return canonicalJson((await allConversations(host.node.url)).map(replicated));
}

/** Waits until every host holds the same conversations as the first, and returns the ms. */
async function waitConverged(
  what: string,
  hosts: LabHost[],
  timeoutMs: number,
  holdsAll: (conversations: ApiConversation[]) => boolean = () => true,
): Promise<number> {
  return await waitFor(
    what,
    async () => {
      const reference = await allConversations(hosts[0].node.url);
      if (!holdsAll(reference)) return false;
      const expected = canonicalJson(reference.map(replicated));
      for (const host of hosts.slice(1)) {
        if (await replicaOf(host) !== expected) return false;
      }
      return true;
    },
    timeoutMs,
    50,
  );
}

function allMessageIds(conversations: ApiConversation[]): string[] {
  return conversations.flatMap((c) => c.messages.map((m) => m.id));
}

Deno.test({
  name: "a message typed on A is on B and C (3 nodes, full mesh), timed",
  ...e2e,
  async fn() {
    await withLab(3, async (lab) => {
      await lab.startAll();
      const [a, b, c] = lab.hosts;
      await waitForLinks("full mesh of 3", fullMeshOf(lab.hosts), 5_000);
      const watchers = await Promise.all([b, c].map((h) => ArrivalWatcher.open(h.node.url)));
      try {
        const arrivedEverywhere = (at: (w: ArrivalWatcher) => number | undefined) =>
          watchers.every((w) => at(w) !== undefined);
        const latest = (at: (w: ArrivalWatcher) => number | undefined) =>
          Math.max(...watchers.map((w) => at(w)!));

        const beforeCreate = performance.now();
        const conversation = await createConversation(a.node.url, "typed on A");
        const createdAt = performance.now();
        await waitFor(
          "the new conversation on B and C",
          () => arrivedEverywhere((w) => w.conversations.get(conversation.id)),
          5_000,
          5,
        );
        const creation = latest((w) => w.conversations.get(conversation.id)) - createdAt;
        console.log(
          `conversation created on A (201 after ${(createdAt - beforeCreate).toFixed(1)} ms) ` +
            `listed on B and C ${creation.toFixed(1)} ms after A answered`,
        );

        // With no LLM anywhere, the question is still stored and acknowledged; the answer fails.
        const first = await ask(a.node.url, conversation.id, "typed on A, with no LLM in the mesh");
        assert.deepEqual(first.map((e) => e.type), ["question", "response", "error"]);
        assert.equal(first[2].kind, "no_host", `answer error: ${JSON.stringify(first[2])}`);

        const fromAck: number[] = [];
        const fromSend: number[] = [];
        for (let i = 0; i < 20; i++) {
          const sentAt = performance.now();
          const { id, drained } = await askUntilAcknowledged(
            a.node.url,
            conversation.id,
            `question ${i} typed on A`,
          );
          const acknowledgedAt = performance.now();
          await waitFor(
            `question ${i} on B and C`,
            () => arrivedEverywhere((w) => w.messages.get(id)),
            5_000,
            5,
          );
          const arrivedAt = latest((w) => w.messages.get(id));
          fromAck.push(arrivedAt - acknowledgedAt);
          fromSend.push(arrivedAt - sentAt);
          await drained;
        }
        // Times are on the test's clock; the acknowledgement reaches the test through a
        // forwarder, so a question may show on B and C before the test sees it acknowledged.
        console.log(`question on B and C, from sending it to A: ${formatSpread(fromSend)}`);
        console.log(`question on B and C, from A's acknowledgement: ${formatSpread(fromAck)}`);

        // Everything A has — questions, failed answers, title — is on B and C, identical.
        const onA = await getConversation(a.node.url, conversation.id);
        assert.equal(onA?.messages.length, 42, "21 questions and 21 failed answers on A");
        await waitConverged("A, B and C identical", lab.hosts, 5_000);
        for (const host of [b, c]) {
          const copy = await getConversation(host.node.url, conversation.id);
          assert.equal(canonicalJson(replicated(copy!)), canonicalJson(replicated(onA!)));
          assert.equal(copy!.readOnly, true, `received on ${host.name}: read-only`);
          const list = await listConversations(host.node.url);
          const fromA = list.received.find((group) => group.peer.name === a.name);
          assert.ok(
            fromA?.conversations.some((s) => s.id === conversation.id),
            `${host.name} lists it under ${a.name}: ${JSON.stringify(list)}`,
          );
        }
      } finally {
        await Promise.all(watchers.map((w) => w.close()));
      }
    });
  },
});

Deno.test({
  name:
    "partition {1,2}|{3,4}, writes on both sides, heal: all converge within 5 s, each message once",
  ...e2e,
  async fn() {
    await withLab(4, async (lab) => {
      await lab.startAll();
      const hosts = lab.hosts;
      const [left, right] = [hosts.slice(0, 2), hosts.slice(2)];
      await waitForLinks("full mesh of 4", fullMeshOf(hosts), 5_000);

      // Each node writes in conversations of its own (received ones are read-only).
      const own = new Map<LabHost, string[]>();
      for (const host of hosts) {
        own.set(host, [(await createConversation(host.node.url, `from ${host.name}`)).id]);
      }
      const questions: string[] = [];
      let asked = 0;
      const write = async (host: LabHost, label: string) => {
        const ids = own.get(host)!;
        questions.push(
          await askQuestion(host.node.url, ids[ids.length - 1], `${label} on ${host.name}`),
        );
        asked++;
      };
      for (const host of hosts) await write(host, "before the cut");
      await waitConverged("everything everywhere before the cut", hosts, 5_000);

      await setPartition(left, right, true);
      // Right after the cut the links still look up: these pushes across it are lost in transit.
      for (const host of hosts) await write(host, "just after the cut");
      const lostMs = await waitForLinks(
        "links across the cut lost",
        new Map([[hosts[0], [hosts[1]]], [hosts[1], [hosts[0]]], [hosts[2], [hosts[3]]], [
          hosts[3],
          [hosts[2]],
        ]]),
        15_000,
      );
      console.log(`links across the cut declared lost ${lostMs.toFixed(0)} ms after the cut`);
      // Once the partition is known: more writes, a new conversation on each side, a rename.
      for (const host of [hosts[0], hosts[2]]) {
        own.get(host)!.push((await createConversation(host.node.url, `partition ${host.name}`)).id);
      }
      for (let round = 0; round < 3; round++) {
        for (const host of hosts) await write(host, `partitioned ${round}`);
      }
      const renamed = own.get(hosts[3])![0];
      const patch = await fetch(`${hosts[3].node.url}/api/conversations/${renamed}`, {
        method: "PATCH",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ title: "renamed during the partition" }),
      });
      assert.equal(patch.status, 200, await patch.text());

      // The two sides really diverged.
      const leftView = allMessageIds(await allConversations(hosts[0].node.url));
      const rightView = allMessageIds(await allConversations(hosts[2].node.url));
      assert.ok(!rightView.every((id) => leftView.includes(id)), "node1 lacks the right's writes");
      assert.ok(!leftView.every((id) => rightView.includes(id)), "node3 lacks the left's writes");

      await setPartition(left, right, false);
      const conversationIds = [...own.values()].flat();
      const convergedMs = await waitConverged("all four converge", hosts, 5_000, (all) => {
        const ids = allMessageIds(all);
        return all.length === conversationIds.length && questions.every((q) => ids.includes(q));
      });
      console.log(
        `after healing: all 4 nodes identical within ${convergedMs.toFixed(0)} ms ` +
          `(${conversationIds.length} conversations, ${asked} questions + ${asked} answers)`,
      );
      await waitForLinks("full mesh again", fullMeshOf(hosts), 5_000);

      for (const host of hosts) {
        const all = await allConversations(host.node.url);
        assert.deepEqual(all.map((c) => c.id), [...conversationIds].sort(), host.name);
        const ids = allMessageIds(all);
        assert.deepEqual(duplicates(ids), [], `${host.name} holds a message twice`);
        assert.equal(ids.length, 2 * asked, `${host.name}: one question and one answer per ask`);
        const title = all.find((c) => c.id === renamed)?.title;
        assert.equal(title, "renamed during the partition", `${host.name} has the rename`);
      }
    });
  },
});

Deno.test({
  name: "a node SIGKILLed during a burst of writes keeps every acknowledged message, intact",
  ...e2e,
  async fn() {
    await withLab(2, async (lab) => {
      await lab.startAll();
      const [a, b] = lab.hosts;
      await waitForLinks("A–B linked", fullMeshOf(lab.hosts), 5_000);
      const acknowledgedQuestions = new Map<string, string>(); // question id → conversation id
      const acknowledgedConversations: string[] = [];
      const scratch = await Deno.makeTempDir({ prefix: "neuromesh-crash-" });
      try {
        for (let round = 1; round <= 2; round++) {
          const conversations = await Promise.all(
            [0, 1, 2, 3].map(async (k) =>
              (await createConversation(a.node.url, `burst ${round}.${k}`)).id
            ),
          );
          acknowledgedConversations.push(...conversations);
          let inFlight = 0;
          let killed = false;
          // Four writers asking in their own conversation, one creating conversations.
          const writers = conversations.map(async (conversation, k) => {
            for (let i = 0; i < 500 && !killed; i++) {
              inFlight++;
              try {
                const { id, drained } = await askUntilAcknowledged(
                  a.node.url,
                  conversation,
                  `burst ${round}.${k}.${i}`,
                );
                acknowledgedQuestions.set(id, conversation);
                await drained;
              } catch {
                return; // the node died under this write: it was not acknowledged
              } finally {
                inFlight--;
              }
            }
          });
          const creator = (async () => {
            for (let i = 0; i < 500 && !killed; i++) {
              try {
                acknowledgedConversations.push(
                  (await createConversation(a.node.url, `created ${round}.${i}`)).id,
                );
              } catch {
                return;
              }
            }
          })();
          const target = acknowledgedQuestions.size + 40 + Math.floor(Math.random() * 40);
          await waitFor(
            "writes acknowledged",
            () => acknowledgedQuestions.size >= target,
            30_000,
            2,
          );
          const inFlightAtKill = inFlight;
          await a.node.stop("SIGKILL");
          killed = true;
          await Promise.all([...writers, creator]);
          console.log(
            `round ${round}: SIGKILL with ${inFlightAtKill} asks in flight; ` +
              `${acknowledgedQuestions.size} questions and ${acknowledgedConversations.length} ` +
              `conversations acknowledged so far`,
          );

          // The files as the crash left them (copied, so the node recovers from the originals).
          const copy = `${scratch}/round${round}`;
          await Deno.mkdir(copy);
          for (const suffix of ["", "-wal", "-shm"]) {
            await Deno.copyFile(
              `${a.node.dataDir}/neuromesh.db${suffix}`,
              `${copy}/neuromesh.db${suffix}`,
            )
              .catch((error) => {
                if (!(error instanceof Deno.errors.NotFound)) throw error;
              });
          }
          assert.equal(
            integrityCheck(`${copy}/neuromesh.db`),
            "ok",
            "database as the crash left it",
          );

          await a.node.start();
          await assertHolds(a, acknowledgedConversations, acknowledgedQuestions, "restarted A");
          // An answer the crash cut short is kept, marked stopped, not "still being written".
          const unfinished = (await allConversations(a.node.url)).flatMap((c) => c.messages)
            .filter((m) => !m.complete);
          assert.deepEqual(unfinished, [], "restarted A: answers left unfinished");
        }

        // B, linked again, catches up: it holds every acknowledged write and, like A, the
        // answers the crashes cut short as stopped.
        const bMs = await waitConverged("B identical to A", [a, b], 10_000);
        await assertHolds(b, acknowledgedConversations, acknowledgedQuestions, "B");
        console.log(`B identical to A ${bMs.toFixed(0)} ms after A's last restart`);

        // Stopped cleanly, the database passes SQLite's integrity check (opened read-only).
        assert.equal((await a.node.stop("SIGTERM"))?.code, 0, "graceful stop exits 0");
        assert.equal(integrityCheck(`${a.node.dataDir}/neuromesh.db`, true), "ok");
      } finally {
        await Deno.remove(scratch, { recursive: true });
      }
    });
  },
});

function integrityCheck(path: string, readOnly = false): string {
  const db = new DatabaseSync(path, { readOnly });
  try {
    const rows = db.prepare("PRAGMA integrity_check").all() as { integrity_check: string }[];
    return rows.map((r) => r.integrity_check).join("; ");
  } finally {
    db.close();
  }
}

/** Asserts a node holds every acknowledged conversation and question, each exactly once. */
async function assertHolds(
  host: LabHost,
  conversations: string[],
  questions: Map<string, string>,
  who: string,
) {
  const all = await allConversations(host.node.url);
  const held = new Set(all.map((c) => c.id));
  assert.deepEqual(conversations.filter((id) => !held.has(id)), [], `${who}: conversations lost`);
  const ids = allMessageIds(all);
  assert.deepEqual(duplicates(ids), [], `${who}: a message twice`);
  const present = new Set(ids);
  const lost = [...questions.keys()].filter((id) => !present.has(id));
  assert.deepEqual(lost, [], `${who}: acknowledged questions lost`);
  for (const conversation of all) {
    for (const message of conversation.messages) {
      if (message.messageType === "Question") {
        assert.equal(questions.get(message.id) ?? conversation.id, conversation.id);
      }
    }
  }
}

Deno.test({
  name: "conversations relay through a middle node when the ends are cut off from each other",
  ...e2e,
  async fn() {
    await withLab(3, async (lab) => {
      const [a, b, c] = lab.hosts;
      await lab.startAll();
      await waitForLinks("full mesh of 3", fullMeshOf(lab.hosts), 5_000);
      const earlierOnA = (await createConversation(a.node.url, "A, before the cut")).id;
      const earlierOnC = (await createConversation(c.node.url, "C, before the cut")).id;
      await waitConverged("before the cut", lab.hosts, 5_000, (all) => all.length === 2);

      await setCut(a, c, true);
      const cutAt = performance.now();
      // Written while A and C still think they are linked: the direct push is lost.
      const windowA = await askQuestion(a.node.url, earlierOnA, "A, just after the cut");
      const windowC = await askQuestion(c.node.url, earlierOnC, "C, just after the cut");
      const lineMs = await waitForLinks(
        "A–B and B–C only",
        new Map([[a, [b]], [b, [a, c]], [c, [b]]]),
        15_000,
      );
      console.log(`A–C declared lost ${lineMs.toFixed(0)} ms after the cut`);

      const has = async (host: LabHost, conversation: string, question: string) =>
        (await getConversation(host.node.url, conversation))?.messages.some((m) =>
          m.id === question
        ) ?? false;
      // What A and C wrote in the detection window reached B only; once A–C is declared lost,
      // each end catches up through B.
      const windowMs = await waitFor(
        "writes of the detection window at the far end",
        async () => await has(c, earlierOnA, windowA) && await has(a, earlierOnC, windowC),
        10_000,
        20,
      );
      console.log(
        `written in the detection window: at the far end ${windowMs.toFixed(0)} ms after the ` +
          `loss was seen (${(performance.now() - cutAt).toFixed(0)} ms after the cut)`,
      );

      const fromA = (await createConversation(a.node.url, "from A")).id;
      const questionA = await askQuestion(a.node.url, fromA, "A to C through B");
      const fromC = (await createConversation(c.node.url, "from C")).id;
      const questionC = await askQuestion(c.node.url, fromC, "C to A through B");
      const relayMs = await waitFor(
        "relayed both ways",
        async () => await has(c, fromA, questionA) && await has(a, fromC, questionC),
        10_000,
        10,
      );
      console.log(
        `written after the loss was seen: relayed through B both ways in ${relayMs.toFixed(0)} ms`,
      );
      await waitConverged("A, B and C identical", lab.hosts, 5_000, (all) => all.length === 4);
      const upOnA = (await a.node.status()).peers.filter((p) => p.state === "up").map((p) =>
        p.name
      );
      assert.deepEqual(upOnA, [b.name], "A never linked to C directly");
    });
  },
});
