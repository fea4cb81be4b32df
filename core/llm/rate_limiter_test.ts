import assert from "node:assert/strict";
import { RateLimiter } from "./rate_limiter.ts";

Deno.test("RateLimiter.take() allows 100 requests within a minute and refuses the 101st", () => {
  let now = 0;
  const limiter = new RateLimiter(100, () => now);
  for (let i = 0; i < 100; i++) {
    assert.equal(limiter.take("peer-a").allowed, true, `request ${i + 1} should pass`);
    now += 500;
  }
  // 50 s after the first request: still inside its minute.
  const refused = limiter.take("peer-a");
  assert.equal(refused.allowed, false);
  assert.equal(refused.retryAfterMs, 10_000);
});

Deno.test("RateLimiter.take() keeps peers apart: one peer's exhaustion does not refuse another", () => {
  const limiter = new RateLimiter(3, () => 0);
  for (let i = 0; i < 3; i++) limiter.take("a");
  assert.equal(limiter.take("a").allowed, false);
  assert.equal(limiter.take("b").allowed, true);
  assert.equal(limiter.isLimited("a"), true);
  assert.equal(limiter.isLimited("b"), false);
  assert.equal(limiter.isLimited("never-seen"), false);
});

Deno.test("RateLimiter gives each token back exactly one minute after it was taken", () => {
  let now = 0;
  const limiter = new RateLimiter(2, () => now);
  limiter.take("a"); // t=0
  now = 30_000;
  limiter.take("a"); // t=30s
  assert.equal(limiter.take("a").allowed, false);
  now = 59_999;
  assert.deepEqual(limiter.take("a"), { allowed: false, remaining: 0, retryAfterMs: 1 });
  now = 60_000;
  assert.deepEqual(limiter.take("a"), { allowed: true, remaining: 0, retryAfterMs: 0 });
  assert.deepEqual(limiter.take("a"), { allowed: false, remaining: 0, retryAfterMs: 30_000 });
});

Deno.test("RateLimiter never lets more than perMinute through in any 60 s window", () => {
  let now = 0;
  const limiter = new RateLimiter(10, () => now);
  const allowedAt: number[] = [];
  for (let step = 0; step < 2_000; step++) {
    if (limiter.take("a").allowed) allowedAt.push(now);
    now += 97;
  }
  for (let i = 0; i + 10 < allowedAt.length; i++) {
    assert.ok(
      allowedAt[i + 10] - allowedAt[i] >= 60_000,
      `window at ${allowedAt[i]} holds 11 requests`,
    );
  }
  assert.ok(allowedAt.length >= 30, `only ${allowedAt.length} allowed over ${now} ms`);
});

Deno.test("RateLimiter.prune() forgets only keys with every token back", () => {
  let now = 0;
  const limiter = new RateLimiter(10, () => now);
  limiter.take("a");
  now = 30_000;
  limiter.take("b");
  now = 60_000;
  limiter.prune();
  assert.equal(limiter.size, 1);
});

Deno.test("RateLimiter.setRate() applies at once and rejects nonsense", () => {
  const limiter = new RateLimiter(100, () => 0);
  limiter.take("a");
  limiter.setRate(2);
  assert.equal(limiter.take("a").allowed, true);
  assert.equal(limiter.take("a").allowed, false);
  assert.throws(() => limiter.setRate(0), /'perMinute' must be a positive integer, got 0/);
});
