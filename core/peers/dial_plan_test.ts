import assert from "node:assert/strict";
import {
  announceStep,
  attemptAfterLink,
  dialStep,
  firstDialDelay,
  linkEndStep,
  nextOnRing,
  targetKey,
} from "./dial_plan.ts";

Deno.test("targetKey(): discovered nodes by id, static peers and unknown nodes by address", () => {
  assert.equal(targetKey("10.0.0.2", 7878, { nodeId: "B" }), "id:B");
  assert.equal(targetKey("10.0.0.2", 7878, { nodeId: "B", static: true }), "at:10.0.0.2:7878");
  assert.equal(targetKey("10.0.0.2", 7878, {}), "at:10.0.0.2:7878");
});

Deno.test("announceStep(): what an announcement does to the target it names", () => {
  const at = { host: "10.0.0.2", port: 7878 };
  const fresh = { ...at, restarted: false };
  const table: [string, typeof at | undefined, typeof fresh, boolean, string][] = [
    ["unknown target", undefined, fresh, false, "add"],
    ["unknown target, even restarted", undefined, { ...fresh, restarted: true }, true, "add"],
    ["restarted", at, { ...fresh, restarted: true }, true, "restart"],
    ["same address", at, fresh, false, "same"],
    ["same address, linked", at, fresh, true, "same"],
    ["new address while linked", at, { ...fresh, host: "10.0.0.3" }, true, "readdress"],
    ["new port while down", at, { ...fresh, port: 9000 }, false, "move"],
  ];
  for (const [name, existing, announced, linked, expected] of table) {
    assert.equal(announceStep(existing, announced, linked), expected, name);
  }
});

Deno.test("dialStep(): stop, satisfied, wait or dial when a dial is due", () => {
  const table: [string, Parameters<typeof dialStep>[0], string][] = [
    ["wanted, node down", { wanted: true, nodeLinked: false, dialingElsewhere: false }, "dial"],
    [
      "forgotten or stopping",
      { wanted: false, nodeLinked: false, dialingElsewhere: false },
      "stop",
    ],
    [
      "linked by the other side",
      { wanted: true, nodeLinked: true, dialingElsewhere: true },
      "satisfied",
    ],
    [
      "another target is dialing it",
      { wanted: true, nodeLinked: false, dialingElsewhere: true },
      "wait",
    ],
  ];
  for (const [name, facts, expected] of table) assert.equal(dialStep(facts), expected, name);
});

Deno.test("linkEndStep(): drop, none, satisfied or retry after the target's link ended", () => {
  const base = { ownNode: false, wanted: true, nodeLinked: false, redialScheduled: false };
  const table: [string, Partial<typeof base>, string][] = [
    ["node down: redial", {}, "retry"],
    ["the address is this node", { ownNode: true, wanted: false }, "drop"],
    ["forgotten or stopping", { wanted: false, nodeLinked: true }, "none"],
    ["linked through another connection", { nodeLinked: true, redialScheduled: true }, "satisfied"],
    ["a redial is already scheduled", { redialScheduled: true }, "none"],
  ];
  for (const [name, facts, expected] of table) {
    assert.equal(linkEndStep({ ...base, ...facts }), expected, name);
  }
});

Deno.test("attemptAfterLink(): a link that stayed up stableLinkMs starts the backoff over", () => {
  const table: [string, number | undefined, number, number][] = [
    ["never came up", undefined, 5_000, 4],
    ["up briefly", 1_000, 5_000, 4],
    ["up exactly stableLinkMs", 1_000, 11_000, 0],
    ["up long", 1_000, 99_000, 0],
  ];
  for (const [name, upAt, now, expected] of table) {
    assert.equal(attemptAfterLink(4, upAt, now, 10_000), expected, name);
  }
});

Deno.test("firstDialDelay(): the lower id dials at once, the higher one waits for it", () => {
  assert.equal(firstDialDelay("A", { nodeId: "B" }, 3_000), 0);
  assert.equal(firstDialDelay("B", { nodeId: "A" }, 3_000), 3_000);
  assert.equal(firstDialDelay("B", { nodeId: "A", static: true }, 3_000), 0, "static: at once");
  assert.equal(firstDialDelay("B", {}, 3_000), 0, "id unknown: at once");
});

Deno.test("nextOnRing(): successors of this node's id first, then from the start of the ring", () => {
  const idOf = (id: string | null) => id;
  assert.equal(nextOnRing("M", ["B", "Z", "N", "A"], idOf), "N");
  assert.equal(nextOnRing("M", ["B", "A"], idOf), "A");
  assert.equal(nextOnRing("M", [], idOf), undefined);
  // A target whose node id is not known yet (a static peer) keeps its turn.
  assert.equal(nextOnRing("M", ["Z", null, "N"], idOf), null);
});

Deno.test("nextOnRing(): every node of a mesh starts with a different target", () => {
  const ids = Array.from({ length: 50 }, (_, k) => `N${String(k).padStart(2, "0")}`);
  const firsts = ids.map((self) =>
    nextOnRing(self, ids.filter((id) => id > self).reverse(), (id) => id)
  );
  // Only the lower id of a pair dials: each node's first dial goes to its own successor.
  assert.deepEqual(firsts.slice(0, -1), ids.slice(1));
});
