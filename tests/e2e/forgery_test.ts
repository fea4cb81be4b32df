/**
 * Signed records end to end (issue 10, part 1): honest nodes A and B and a malicious node E,
 * each a real process in its own network namespace. E is trusted on first use like any device
 * (open mode) and links with its own valid key; once it holds A's conversation it sends forged
 * edits, tombstones, a takeover, versions and settings (thread records) of A's conversation, an
 * altered replay of A's record and lying version vectors (tests/e2e/evil_node.ts), and a
 * conversation of its own whose thread loops. Nothing changes on A or B, both report E, and A's own edits and
 * deletion still reach B, through E too.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { netnsUnavailableReason, requires } from "../support/ci.ts";
import { waitFor, withLab } from "./lab.ts";
import {
  askQuestion,
  createConversation,
  getConversation,
  listConversations,
} from "./sync_client.ts";
import { fullMeshOf, nodeIds, waitForLinks } from "./sync_lab.ts";

const EVIL = new URL("./evil_node.ts", import.meta.url).pathname;
const JSON_HEADERS = { "content-type": "application/json" };

interface Alert {
  nodeId: string;
  reason: string;
}

async function alerts(url: string): Promise<Alert[]> {
  const res = await fetch(`${url}/api/trust`);
  assert.equal(res.status, 200);
  return (await res.json()).alerts;
}

Deno.test({
  name:
    "a trusted malicious node cannot edit, delete, take over or replay another node's conversation",
  ...requires(netnsUnavailableReason()),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await withLab(3, async (lab) => {
      const [a, b, e] = lab.hosts;
      await Promise.all([a.node.start(), b.node.start()]);
      await waitForLinks("A and B linked", fullMeshOf([a, b]), 10_000);
      const target = await createConversation(a.node.url, "target");
      await askQuestion(a.node.url, target.id, "the real question — ünïcode ✓");
      const doomed = await createConversation(a.node.url, "to be deleted by A");
      await waitFor(
        "B holds both",
        async () =>
          (await getConversation(b.node.url, target.id))?.messages.length === 2 &&
          (await getConversation(b.node.url, doomed.id)) !== null,
        10_000,
      );
      const before = await Promise.all([a, b].map((h) => getConversation(h.node.url, target.id)));

      await e.node.start({
        script: EVIL,
        env: { EVIL_TARGET_TITLE: "target", EVIL_PEERS: "2" },
      });
      await waitFor(
        "E to attack",
        async () => (await e.node.tail(400)).includes("evil: attacks sent"),
        30_000,
      );
      const ids = await nodeIds([a, b, e]);
      const evilId = ids.get(e)!;

      // Both honest nodes report E, once, naming it.
      for (const host of [a, b]) {
        await waitFor(
          `${host.name} reports E`,
          async () => (await alerts(host.node.url)).some((x) => x.nodeId === evilId),
          10_000,
        );
        const mine = (await alerts(host.node.url)).filter((x) => x.nodeId === evilId);
        assert.equal(mine.length, 1, `${host.name}: one alert per peer: ${JSON.stringify(mine)}`);
        assert.match(mine[0].reason, /conversation records/);
      }
      // Nothing changed anywhere honest.
      for (const [k, host] of [a, b].entries()) {
        const now = await getConversation(host.node.url, target.id);
        assert.deepEqual(now, before[k], `${host.name}: the target is as A wrote it`);
        const list = await listConversations(host.node.url);
        const titles = [...list.local, ...list.received.flatMap((g) => g.conversations)]
          .map((c) => c.title);
        assert.ok(!titles.includes("TAKEN OVER"), `${host.name}: ${titles}`);
      }
      // E's own conversation, whose thread loops, is shown whole on both (in creation order).
      const loops = `${evilId}-loops`;
      for (const host of [a, b]) {
        await waitFor(
          `${host.name} shows E's looping conversation`,
          async () => (await getConversation(host.node.url, loops))?.messages.length === 4,
          10_000,
        );
        const shown = await getConversation(host.node.url, loops);
        assert.deepEqual(
          (shown as unknown as { path: string[] }).path,
          ["l0", "l1", "l2", "l3"].map((id) => `${evilId}-${id}`),
          `${host.name}: the shown branch of a looping thread`,
        );
      }
      // A's own sequence did not jump because E claimed 2^52 of it.
      const db = new DatabaseSync(`${a.node.dataDir}/neuromesh.db`, { readOnly: true });
      try {
        const row = db.prepare("SELECT value FROM meta WHERE key = 'next_seq'").get() as {
          value: string;
        };
        assert.ok(Number(row.value) < 1000, `A's next seq is ${row.value}`);
      } finally {
        db.close();
      }

      // The owner's real edits and deletion still propagate, to B and through E.
      const rename = await fetch(`${a.node.url}/api/conversations/${target.id}`, {
        method: "PATCH",
        headers: JSON_HEADERS,
        body: JSON.stringify({ title: "renamed by A" }),
      });
      assert.equal(rename.status, 200, await rename.text());
      const removal = await fetch(`${a.node.url}/api/conversations/${doomed.id}`, {
        method: "DELETE",
      });
      assert.ok(removal.ok, `DELETE: HTTP ${removal.status}`);
      await removal.body?.cancel();
      const fresh = await createConversation(a.node.url, "after the attack");
      await askQuestion(a.node.url, fresh.id, "still shared?");
      const b2 = await createConversation(b.node.url, "B after the attack");
      for (const host of [b, e]) {
        await waitFor(
          `${host.name} sees A's rename, deletion and new conversation`,
          async () =>
            (await getConversation(host.node.url, target.id))?.title === "renamed by A" &&
            (await getConversation(host.node.url, doomed.id)) === null &&
            (await getConversation(host.node.url, fresh.id))?.messages.length === 2,
          10_000,
        );
      }
      await waitFor(
        "A sees B's new conversation",
        async () => (await getConversation(a.node.url, b2.id)) !== null,
        10_000,
      );
    });
  },
});
