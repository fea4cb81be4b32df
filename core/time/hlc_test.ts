import assert from "node:assert/strict";
import { decodeHlc, encodeHlc, hlcWallMs, HybridClock } from "./hlc.ts";

Deno.test("encodeHlc() round-trips through decodeHlc()", () => {
  const stamp = { wallMs: 1742910960304, counter: 17, nodeId: "NODE-A" };
  const text = encodeHlc(stamp);
  assert.equal(text, "001742910960304-000017-NODE-A");
  assert.deepEqual(decodeHlc(text), stamp);
  assert.equal(hlcWallMs(text), 1742910960304);
});

Deno.test("encoded stamps sort by wall, then counter, then node id", () => {
  const stamps = [
    { wallMs: 10, counter: 2, nodeId: "a" },
    { wallMs: 9, counter: 99, nodeId: "z" },
    { wallMs: 10, counter: 2, nodeId: "b" },
    { wallMs: 100, counter: 0, nodeId: "a" },
    { wallMs: 10, counter: 10, nodeId: "a" },
  ];
  const sorted = stamps.map(encodeHlc).sort().map(decodeHlc);
  assert.deepEqual(sorted, [
    { wallMs: 9, counter: 99, nodeId: "z" },
    { wallMs: 10, counter: 2, nodeId: "a" },
    { wallMs: 10, counter: 2, nodeId: "b" },
    { wallMs: 10, counter: 10, nodeId: "a" },
    { wallMs: 100, counter: 0, nodeId: "a" },
  ]);
});

Deno.test("decodeHlc() rejects malformed text, quoting it", () => {
  assert.throws(() => decodeHlc("12-3-x"), /not an HLC stamp: "12-3-x"/);
  assert.throws(() => encodeHlc({ wallMs: -1, counter: 0, nodeId: "a" }), /wallMs/);
});

Deno.test("HybridClock.now() strictly increases while the wall clock stands still or goes back", () => {
  let wall = 1000;
  const clock = new HybridClock("A", { wallClock: () => wall });
  const a = clock.now();
  const b = clock.now();
  wall = 500;
  const c = clock.now();
  wall = 2000;
  const d = clock.now();
  assert.ok(a < b && b < c && c < d, [a, b, c, d].join(" "));
  assert.deepEqual(decodeHlc(d), { wallMs: 2000, counter: 0, nodeId: "A" });
});

Deno.test("HybridClock.receive() makes later stamps exceed the remote one", () => {
  const clock = new HybridClock("A", { wallClock: () => 1000 });
  const remote = encodeHlc({ wallMs: 5000, counter: 3, nodeId: "B" });
  assert.equal(clock.receive(remote), true);
  const next = clock.now();
  assert.ok(next > remote);
  assert.deepEqual(decodeHlc(next), { wallMs: 5000, counter: 4, nodeId: "A" });
});

Deno.test("HybridClock.receive() ignores stamps beyond the allowed drift", () => {
  const clock = new HybridClock("A", { wallClock: () => 1000, maxDriftMs: 100 });
  assert.equal(clock.receive(encodeHlc({ wallMs: 5000, counter: 0, nodeId: "B" })), false);
  assert.equal(decodeHlc(clock.now()).wallMs, 1000);
});

Deno.test("HybridClock resumes above the last stamp issued before a restart", () => {
  const last = encodeHlc({ wallMs: 9000, counter: 5, nodeId: "A" });
  const clock = new HybridClock("A", { wallClock: () => 1000, last });
  assert.ok(clock.now() > last);
});

Deno.test("HybridClock borrows the next millisecond when the counter is exhausted", () => {
  const clock = new HybridClock("A", { wallClock: () => 7 });
  clock.receive(encodeHlc({ wallMs: 7, counter: 999_999, nodeId: "B" }));
  assert.deepEqual(decodeHlc(clock.now()), { wallMs: 8, counter: 0, nodeId: "A" });
});
