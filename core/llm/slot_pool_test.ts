import assert from "node:assert/strict";
import { FakeClock } from "../time/clock.ts";
import { BusyError, SlotPool } from "./slot_pool.ts";

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

Deno.test("SlotPool grants up to capacity at once, then queues FIFO", async () => {
  const clock = new FakeClock();
  const pool = new SlotPool(2, 4, clock);
  const r1 = await pool.acquire();
  await pool.acquire();
  assert.equal(pool.inFlight, 2);
  assert.equal(pool.full, true);
  const order: number[] = [];
  const w3 = pool.acquire().then((release) => (order.push(3), release));
  const w4 = pool.acquire().then((release) => (order.push(4), release));
  assert.equal(pool.queued, 2);
  r1();
  r1(); // a second release is ignored
  await settle();
  assert.deepEqual(order, [3]);
  assert.equal(pool.inFlight, 2);
  (await w3)();
  await settle();
  assert.deepEqual(order, [3, 4]);
  (await w4)();
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("SlotPool refuses at once with BusyError when the queue is full", async () => {
  const pool = new SlotPool(1, 1, new FakeClock());
  await pool.acquire();
  const queued = pool.acquire();
  await assert.rejects(pool.acquire(), (error: unknown) => {
    assert.ok(error instanceof BusyError);
    assert.match(error.message, /all 1 slots are busy and the wait queue is full \(1\)/);
    return true;
  });
  pool.close();
  await assert.rejects(queued, /shutting down/);
});

Deno.test("SlotPool gives up a wait after the timeout", async () => {
  const clock = new FakeClock();
  const pool = new SlotPool(1, 5, clock, 1_000);
  await pool.acquire();
  const waiting = pool.acquire();
  clock.advance(999);
  assert.equal(pool.queued, 1);
  clock.advance(1);
  await assert.rejects(waiting, /waited 1000 ms in the queue/);
  assert.equal(pool.queued, 0);
});

Deno.test("SlotPool drops an aborted waiter and frees its place", async () => {
  const clock = new FakeClock();
  const pool = new SlotPool(1, 5, clock);
  const release = await pool.acquire();
  const abort = new AbortController();
  const waiting = pool.acquire(abort.signal);
  abort.abort(new Error("client went away"));
  await assert.rejects(waiting, /client went away/);
  assert.equal(pool.queued, 0);
  release();
  assert.equal(pool.inFlight, 0);
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("SlotPool.resize() to a larger capacity starts waiters and notifies", async () => {
  const pool = new SlotPool(1, 5, new FakeClock());
  let changes = 0;
  pool.onChange(() => changes++);
  await pool.acquire();
  const waiting = pool.acquire();
  pool.resize(2, 5);
  await waiting;
  assert.equal(pool.inFlight, 2);
  assert.ok(changes >= 3);
});
