import assert from "node:assert/strict";
import { Slots } from "./slots.ts";

const never = new AbortController().signal;

Deno.test("Slots with parallel 0 never makes a request wait", async () => {
  const slots = new Slots(0);
  const releases = await Promise.all([1, 2, 3].map(() => slots.acquire(never)));
  assert.equal(slots.running, 3);
  assert.equal(slots.full, false);
  releases.forEach((r) => r());
  assert.equal(slots.running, 0);
});

Deno.test("Slots queues beyond `parallel` and hands the slot on in order", async () => {
  const slots = new Slots(1);
  const release = await slots.acquire(never);
  const order: number[] = [];
  const second = slots.acquire(never).then((r) => (order.push(2), r));
  const third = slots.acquire(never).then((r) => (order.push(3), r));
  assert.equal(slots.queued, 2);
  release();
  release(); // a second call must not free another slot
  (await second)();
  (await third)();
  assert.deepEqual(order, [2, 3]);
  assert.equal(slots.running, 0);
});

Deno.test("Slots drops an aborted waiter from the queue", async () => {
  const slots = new Slots(1);
  const release = await slots.acquire(never);
  const abort = new AbortController();
  const waiting = slots.acquire(abort.signal);
  abort.abort(new Error("gone"));
  await assert.rejects(waiting, /gone/);
  assert.equal(slots.queued, 0);
  release();
  assert.equal(slots.running, 0);
});

Deno.test("Slots is busy when no slot is free and full when running and queue are at their limits", async () => {
  const slots = new Slots(1, 1);
  assert.equal(slots.busy, false);
  const release = await slots.acquire(never);
  assert.equal(slots.busy, true);
  assert.equal(slots.full, false);
  const waiting = slots.acquire(never);
  assert.equal(slots.full, true);
  release();
  (await waiting)();
});

Deno.test("Slots refuses negative limits, quoting them", () => {
  assert.throws(() => new Slots(-1), /parallel must be a non-negative integer, got -1/);
});
