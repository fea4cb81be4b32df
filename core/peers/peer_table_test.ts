import assert from "node:assert/strict";
import {
  countsAsLinked,
  leavesTable,
  linkDownVerdict,
  linkUpVerdict,
  type NodeLinkFacts,
  type NodeRow,
  peerRows,
  type PeerStatus,
  type TargetRow,
} from "./peer_table.ts";

const down: NodeLinkFacts = { linked: false, swapping: false, inGrace: false };

Deno.test("linkUpVerdict(): up for a node that was down or new, replaced during a swap or grace", () => {
  const table: [string, NodeLinkFacts | undefined, "up" | "replaced"][] = [
    ["new node", undefined, "up"],
    ["known node, down", down, "up"],
    ["linked: a better duplicate took over", { ...down, linked: true }, "replaced"],
    ["swap under way", { ...down, swapping: true }, "replaced"],
    ["grace after the peer dropped our duplicate", { ...down, inGrace: true }, "replaced"],
  ];
  for (const [name, node, expected] of table) {
    assert.equal(linkUpVerdict(node), expected, name);
    assert.equal(countsAsLinked(node), expected === "replaced", name);
  }
});

Deno.test("linkDownVerdict(): stray, grace or lost", () => {
  type Facts = Parameters<typeof linkDownVerdict>[0];
  const dup: Facts["down"] = { cause: "bye", byeReason: "duplicate link" };
  const table: [string, Facts, ReturnType<typeof linkDownVerdict>][] = [
    ["not the node's link", { current: false, down: dup, running: true }, "stray"],
    ["peer dropped it as a duplicate", { current: true, down: dup, running: true }, "grace"],
    ["duplicate BYE while we stop", { current: true, down: dup, running: false }, "lost"],
    ["another BYE", {
      current: true,
      down: { cause: "bye", byeReason: "node stopping" },
      running: true,
    }, "lost"],
    ["silence", { current: true, down: { cause: "timeout" }, running: true }, "lost"],
    ["we closed it", { current: true, down: { cause: "local" }, running: true }, "lost"],
  ];
  for (const [name, facts, expected] of table) {
    assert.equal(linkDownVerdict(facts), expected, name);
  }
});

Deno.test("leavesTable(): only a goodbye from a node nothing wants", () => {
  assert.equal(leavesTable({ cause: "bye" }, false), true);
  assert.equal(leavesTable({ cause: "bye" }, true), false);
  assert.equal(leavesTable({ cause: "eof" }, false), false);
  assert.equal(leavesTable({ cause: "timeout" }, false), false);
});

const counters = {
  bytesIn: 10,
  bytesOut: 20,
  framesIn: 1,
  framesOut: 2,
  rttMs: 3,
  lastSeen: 900,
};
const node = (id: string, facts: Partial<NodeRow> = {}): NodeRow => ({
  id,
  name: `node ${id}`,
  address: "10.0.0.2",
  peerPort: 7878,
  httpPort: 8080,
  hasLlm: true,
  direction: "out",
  since: 100,
  lastError: "peer silent for 10000 ms",
  counters,
  ...down,
  linked: true,
  ...facts,
});
const target = (nodeId: string | null, facts: Partial<TargetRow> = {}): TargetRow => ({
  nodeId,
  name: "hint",
  host: "10.0.0.9",
  port: 7000,
  state: "backoff",
  since: 500,
  lastError: "connect failed: refused",
  ...facts,
});
const state = (row: PeerStatus) => [row.id, row.state, row.since, row.lastError];

Deno.test("peerRows(): a linked node is up with its counters and no error", () => {
  const [row] = peerRows([node("B")], [target("B", { state: "satisfied" })]);
  assert.deepEqual(row, {
    id: "B",
    name: "node B",
    address: "10.0.0.2",
    peerPort: 7878,
    httpPort: 8080,
    state: "up",
    since: 100,
    lastSeen: 900,
    rttMs: 3,
    hasLlm: true,
    direction: "out",
    bytesIn: 10,
    bytesOut: 20,
    framesIn: 1,
    framesOut: 2,
    lastError: null,
  });
});

Deno.test("peerRows(): a node down shows its most hopeful target and that target's error", () => {
  const table: [string, NodeRow, TargetRow[], unknown[]][] = [
    ["nothing wants it: lost", node("B", { linked: false }), [], [
      "B",
      "lost",
      100,
      "peer silent for 10000 ms",
    ]],
    ["backing off", node("B", { linked: false }), [target("B")], [
      "B",
      "backoff",
      500,
      "connect failed: refused",
    ]],
    ["connecting beats backoff", node("B", { linked: false }), [
      target("B", { state: "connecting", since: 700, lastError: null }),
      target("B", { since: 600 }),
    ], ["B", "connecting", 700, "peer silent for 10000 ms"]],
    ["swapping counts as up", node("B", { linked: false, swapping: true }), [target("B")], [
      "B",
      "up",
      100,
      "peer silent for 10000 ms",
    ]],
    ["grace counts as up", node("B", { linked: false, inGrace: true }), [], [
      "B",
      "up",
      100,
      "peer silent for 10000 ms",
    ]],
  ];
  for (const [name, n, targets, expected] of table) {
    assert.deepEqual(state(peerRows([n], targets)[0]), expected, name);
  }
});

Deno.test("peerRows(): targets of nodes not in the table get one row per node, statics their own", () => {
  const rows = peerRows([node("B")], [
    target("B"),
    target("C", { state: "connecting" }),
    target("C", { host: "10.0.0.3" }),
    target(null, { host: "192.168.1.5" }),
  ]);
  assert.deepEqual(rows.map((r) => [r.id, r.state, r.address]), [
    ["B", "up", "10.0.0.2"],
    ["C", "connecting", "10.0.0.9"],
    [null, "backoff", "192.168.1.5"],
  ]);
  assert.deepEqual(
    [rows[1].httpPort, rows[1].direction, rows[1].lastSeen, rows[1].bytesIn, rows[1].name],
    [null, null, null, 0, "hint"],
  );
});
