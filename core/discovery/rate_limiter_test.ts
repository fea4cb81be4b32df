import assert from "node:assert/strict";
import { KeyedRateLimiter, TokenBucket } from "./rate_limiter.ts";

const T0 = 1_000_000;

function takes(bucket: { take(now: number): boolean }, count: number, now: number): number {
  let granted = 0;
  for (let i = 0; i < count; i++) if (bucket.take(now)) granted++;
  return granted;
}

Deno.test("TokenBucket grants a burst, then refills at the rate", () => {
  const bucket = new TokenBucket({ ratePerSecond: 20, burst: 20 }, T0);
  assert.equal(takes(bucket, 100, T0), 20);
  assert.equal(takes(bucket, 100, T0 + 50), 1); // 50 ms at 20/s = one token
  assert.equal(takes(bucket, 100, T0 + 550), 10);
  assert.equal(takes(bucket, 100, T0 + 60_000), 20); // never more than the burst
});

Deno.test("TokenBucket ignores time going backwards", () => {
  const bucket = new TokenBucket({ ratePerSecond: 10, burst: 1 }, T0);
  assert.equal(bucket.take(T0), true);
  assert.equal(bucket.take(T0 - 5_000), false);
  assert.equal(bucket.take(T0 + 50), false); // the step back did not move the refill start
  assert.equal(bucket.take(T0 + 100), true);
});

Deno.test("TokenBucket reports full only once refilled", () => {
  const bucket = new TokenBucket({ ratePerSecond: 10, burst: 5 }, T0);
  assert.equal(bucket.isFull(T0), true);
  bucket.take(T0);
  assert.equal(bucket.isFull(T0 + 50), false);
  assert.equal(bucket.isFull(T0 + 100), true);
});

Deno.test("TokenBucket refuses a bad rate or burst, quoting it", () => {
  assert.throws(() => new TokenBucket({ ratePerSecond: 0, burst: 1 }, T0), /'ratePerSecond'.*0/);
  assert.throws(() => new TokenBucket({ ratePerSecond: 1, burst: 0.5 }, T0), /'burst'.*0\.5/);
});

Deno.test("KeyedRateLimiter limits each key on its own", () => {
  const limiter = new KeyedRateLimiter({ ratePerSecond: 20, burst: 20, maxKeys: 100 });
  assert.equal(takes({ take: (now) => limiter.allow("10.0.0.1", now) }, 1000, T0), 20);
  assert.equal(takes({ take: (now) => limiter.allow("10.0.0.2", now) }, 5, T0), 5);
  assert.equal(limiter.allow("10.0.0.1", T0 + 100), true);
});

Deno.test("KeyedRateLimiter bounds its keys and forgets idle ones", () => {
  const limiter = new KeyedRateLimiter({ ratePerSecond: 10, burst: 2, maxKeys: 3 });
  for (const key of ["a", "b", "c"]) assert.equal(limiter.allow(key, T0), true);
  assert.equal(limiter.allow("d", T0), false); // full, and nobody idle yet
  assert.equal(limiter.size, 3);
  assert.equal(limiter.allow("d", T0 + 1_000), true); // a, b, c refilled and were pruned
  assert.equal(limiter.size, 1);
  limiter.prune(T0 + 5_000);
  assert.equal(limiter.size, 0);
});

Deno.test("KeyedRateLimiter refuses a bad key bound", () => {
  assert.throws(
    () => new KeyedRateLimiter({ ratePerSecond: 1, burst: 1, maxKeys: 0 }),
    /'maxKeys' must be a positive integer: current value is 0/,
  );
});
