import assert from "node:assert/strict";
import { roundPeers } from "./anti_entropy.ts";

Deno.test("roundPeers(): a small mesh pulls from every peer each round", () => {
  assert.deepEqual(roundPeers(["C", "A", "B"], null, 3), ["A", "B", "C"]);
  assert.deepEqual(roundPeers(["B", "A"], "B", 3), ["A", "B"]);
  assert.deepEqual(roundPeers([], null, 3), []);
});

Deno.test("roundPeers(): a large mesh takes turns, every peer within ceil(n / fanout) rounds", () => {
  const peers = Array.from({ length: 49 }, (_, k) => `P${String(k).padStart(2, "0")}`);
  const seen = new Set<string>();
  let after: string | null = null;
  for (let round = 0; round < Math.ceil(49 / 3); round++) {
    const pulled = roundPeers(peers, after, 3);
    assert.equal(pulled.length, 3);
    pulled.forEach((id) => seen.add(id));
    after = pulled.at(-1)!;
  }
  assert.equal(seen.size, 49);
  // The cursor may name a peer that left: the turn goes on after where it stood.
  assert.deepEqual(roundPeers(["A", "C", "E", "G"], "D", 2), ["E", "G"]);
  assert.deepEqual(roundPeers(["A", "C", "E", "G"], "Z", 2), ["A", "C"]);
});
