/**
 * Mesh core end to end: real NeuroMesh processes, each in its own network namespace with its
 * own 10.99.0.K address, default ports and no peer configuration.
 */
import assert from "node:assert/strict";
import { netnsUnavailableReason, requires } from "../support/ci.ts";
import { type LabNode, type NodeStatus, waitFor, withLab } from "./lab.ts";

const gate = requires(netnsUnavailableReason());

function upPeers(status: NodeStatus) {
  return status.peers.filter((p) => p.state === "up");
}

/** True when every running node has exactly one `up` entry for each other running node. */
async function fullMesh(nodes: LabNode[]): Promise<boolean> {
  const statuses = await Promise.all(nodes.map((n) => n.status()));
  const ids = statuses.map((s) => s.node.id);
  return statuses.every((s) => {
    const up = upPeers(s).map((p) => p.id);
    const expected = ids.filter((id) => id !== s.node.id);
    return up.length === expected.length && expected.every((id) => up.includes(id)) &&
      new Set(up).size === up.length;
  });
}

Deno.test({
  name: "five nodes find each other and hold exactly one link per pair; kill, stop and restart",
  ...gate,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await withLab(5, async (lab) => {
      const spawnedAt = performance.now();
      await lab.startAll();
      const readyMs = performance.now() - spawnedAt;
      const nodes = lab.hosts.map((h) => h.node);
      const meshMs = await waitFor("full mesh of 5", () => fullMesh(nodes), 2_000);
      console.log(
        `full mesh of 5 within ${meshMs.toFixed(0)} ms of the last node answering ` +
          `(${(readyMs + meshMs).toFixed(0)} ms after spawning all five processes)`,
      );

      // The mesh stays at exactly one link per pair (no duplicate links flapping).
      await new Promise((r) => setTimeout(r, 500));
      assert.ok(await fullMesh(nodes), "mesh still full after settling");
      const statuses = await Promise.all(nodes.map((n) => n.status()));
      for (const s of statuses) {
        assert.equal(s.peers.length, 4, `${s.node.name} sees ${s.peers.length} peers`);
        for (const p of s.peers) assert.match(p.address, /^10\.99\.0\.\d+$/);
      }

      // SIGKILL: every other node marks it lost within 10 s.
      const victim = lab.host(5).node;
      const victimId = (await victim.status()).node.id;
      await victim.stop("SIGKILL");
      const others = nodes.slice(0, 4);
      const lostMs = await waitFor(
        "killed node marked lost",
        async () => {
          const all = await Promise.all(others.map((n) => n.status()));
          return all.every((s) => s.peers.some((p) => p.id === victimId && p.state === "lost"));
        },
        10_000,
        100,
      );
      console.log(`SIGKILLed node marked lost by all within ${lostMs.toFixed(0)} ms`);

      // A host unplugged from the LAN (no FIN, no RST): heartbeats declare it lost within 10 s.
      const unplugged = lab.host(3);
      const unpluggedId = (await unplugged.node.status()).node.id;
      await unplugged.setLinked(false);
      const silentMs = await waitFor(
        "unplugged node marked lost",
        async () => {
          const all = await Promise.all([nodes[0], nodes[1], nodes[3]].map((n) => n.status()));
          return all.every((s) => s.peers.some((p) => p.id === unpluggedId && p.state === "lost"));
        },
        10_000,
        100,
      );
      console.log(`unplugged node marked lost by all within ${silentMs.toFixed(0)} ms`);
      await unplugged.setLinked(true);
      await waitFor("replugged node relinked", () => fullMesh(others), 10_000, 100);

      // Restart: back within 2 s on all nodes, with its old id.
      await victim.start();
      const backMs = await waitFor("restarted node back", () => fullMesh(nodes), 2_000);
      assert.equal((await victim.status()).node.id, victimId, "id is stable across restarts");
      console.log(`restarted node back within ${backMs.toFixed(0)} ms`);

      // SIGTERM: a graceful stop is dropped at once (OFFLINE announcement and BYE).
      const leaving = lab.host(4).node;
      const leavingId = (await leaving.status()).node.id;
      const status = await leaving.stop("SIGTERM");
      assert.equal(status?.code, 0, "graceful stop exits 0");
      const remaining = [nodes[0], nodes[1], nodes[2], nodes[4]];
      const dropMs = await waitFor("stopped node dropped", async () => {
        const all = await Promise.all(remaining.map((n) => n.status()));
        return all.every((s) => !s.peers.some((p) => p.id === leavingId));
      }, 1_000);
      console.log(`SIGTERMed node dropped by all within ${dropMs.toFixed(0)} ms`);
    });
  },
});

Deno.test({
  name: "a node with --no-discovery --peer reaches a peer that its broadcasts cannot reach",
  ...gate,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    // Host 1 on 10.99.0.0/24, host 2 on 10.99.1.0/24: same bridge, no shared broadcast domain.
    await withLab(2, async (lab) => {
      const [a, b] = lab.hosts;
      await a.node.start();
      await b.node.start({ args: ["--no-discovery", "--peer", `${a.address}:7878`] });
      await waitFor("static peer link", () => fullMesh([a.node, b.node]), 5_000);
      const seen = upPeers(await a.node.status());
      assert.equal(seen[0].address, b.address);
    }, { subnets: [0, 1] });
  },
});
