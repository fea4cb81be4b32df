import assert from "node:assert/strict";
import { backoffDelay } from "./backoff.ts";

Deno.test("backoffDelay() doubles the ceiling each attempt until the cap", () => {
  const almostOne = () => 0.999999;
  const ceilings = [0, 1, 2, 3, 4, 5, 6, 10, 100].map((attempt) =>
    backoffDelay(attempt, { baseMs: 250, capMs: 10_000, random: almostOne })
  );
  assert.deepEqual(ceilings, [249, 499, 999, 1999, 3999, 7999, 9999, 9999, 9999]);
});

Deno.test("backoffDelay() is full jitter: random 0 gives 0, random 0.5 gives half the ceiling", () => {
  assert.equal(backoffDelay(3, { random: () => 0 }), 0);
  assert.equal(backoffDelay(3, { baseMs: 100, capMs: 1_000, random: () => 0.5 }), 400);
});

Deno.test("backoffDelay() survives attempt counts whose power of two overflows", () => {
  assert.equal(backoffDelay(5_000, { capMs: 10_000, random: () => 0.5 }), 5_000);
});

Deno.test("backoffDelay() refuses a negative attempt and a cap below the base", () => {
  assert.throws(() => backoffDelay(-1), /'attempt' must be an integer >= 0, got -1/);
  assert.throws(() => backoffDelay(0, { baseMs: 500, capMs: 100 }), /baseMs=500 capMs=100/);
});
