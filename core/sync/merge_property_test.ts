import assert from "node:assert/strict";
import { MemoryReplica } from "./testing/memory_replica.ts";
import { canonicalContent, simulate } from "./testing/simulation.ts";

const RUNS = 1000;

Deno.test(`merge converges: ${RUNS} random runs with loss, duplicates, reordering and relays`, () => {
  const seed = Number(Deno.env.get("MERGE_SEED") ?? Math.floor(Math.random() * 2 ** 31));
  console.log(`merge property seed=${seed} (rerun with MERGE_SEED=${seed})`);
  let operations = 0;
  let threads = 0;
  for (let run = 0; run < RUNS; run++) {
    const runSeed = seed + run;
    const result = simulate(runSeed, (id) => new MemoryReplica(id));
    operations += result.operations;
    threads += (result.replicas[0] as MemoryReplica).content.threads.size;
    const [first, ...rest] = result.finals;
    rest.forEach((final, i) =>
      assert.equal(final, first, `seed ${runSeed}: replica N${i + 1} differs from N0`)
    );
    const vectors = result.replicas.map((r) =>
      JSON.stringify(Object.entries(r.versionVector()).sort())
    );
    assert.ok(
      vectors.every((v) => v === vectors[0]),
      `seed ${runSeed}: version vectors differ: ${vectors.join(" | ")}`,
    );
    assert.equal(result.lateWinners, 0, `seed ${runSeed}: a converged mesh still changed`);
  }
  assert.ok(operations > RUNS * 10, `only ${operations} operations ran`);
  assert.ok(threads > RUNS / 10, `only ${threads} threads survived the runs`);
});

Deno.test("merge is idempotent: replaying every record again changes nothing", () => {
  const result = simulate(12345, (id) => new MemoryReplica(id));
  const replica = result.replicas[0] as MemoryReplica;
  const before = canonicalContent(replica.content);
  const records = result.replicas.flatMap((r) => (r as MemoryReplica).records());
  assert.deepEqual(replica.applyRemote(structuredClone(records).reverse()), []);
  assert.equal(canonicalContent(replica.content), before);
});
