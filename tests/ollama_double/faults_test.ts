import assert from "node:assert/strict";
import { FaultSchedule, normalizeFault } from "./faults.ts";

Deno.test("normalizeFault() turns a kind into a spec", () => {
  assert.deepEqual(normalizeFault("stall"), { kind: "stall" });
  assert.deepEqual(normalizeFault({ kind: "closeMidStream", afterTokens: 5 }), {
    kind: "closeMidStream",
    afterTokens: 5,
  });
});

Deno.test("normalizeFault() refuses unknown kinds and bad values, quoting them", () => {
  assert.throws(() => normalizeFault("explode" as "none"), /invalid fault "explode"/);
  assert.throws(
    () => normalizeFault({ kind: "stall", afterTokens: -1 }),
    /"afterTokens":-1.*afterTokens/,
  );
  assert.throws(() => normalizeFault({ kind: "http500", status: 200 }), /status/);
});

Deno.test("normalizeFault() refuses fields the kind does not use", () => {
  assert.throws(
    () => normalizeFault({ kind: "http500", afterTokens: 3 }),
    /afterTokens not used by kind "http500"/,
  );
  assert.throws(
    () => normalizeFault({ kind: "refuse", times: 1 }),
    /times not used by kind "refuse"/,
  );
});

Deno.test("FaultSchedule.take() applies to the generating endpoints of both APIs by default", () => {
  const schedule = new FaultSchedule("http500");
  assert.equal(schedule.take("chat", "m")?.kind, "http500");
  assert.equal(schedule.take("generate", "m")?.kind, "http500");
  assert.equal(schedule.take("v1.chat", "m")?.kind, "http500");
  assert.equal(schedule.take("v1.completions", "m")?.kind, "http500");
  assert.equal(schedule.take("tags"), null);
  assert.equal(schedule.take("embed", "m"), null, "embeddings only when targeted");
  assert.equal(schedule.kind, "http500");
});

Deno.test("FaultSchedule.take() honours endpoints and models", () => {
  const schedule = new FaultSchedule({ kind: "stall", endpoints: ["tags"], models: ["a"] });
  assert.equal(schedule.take("chat", "a"), null);
  assert.equal(schedule.take("tags"), null, "tags names no model, so a model filter skips it");
  const byModel = new FaultSchedule({ kind: "stall", models: ["a"] });
  assert.equal(byModel.take("chat", "b:latest"), null);
  assert.equal(byModel.take("chat", "a:latest")?.kind, "stall", "a matches a:latest");
});

Deno.test("FaultSchedule.take() stops after `times` matching requests", () => {
  const schedule = new FaultSchedule({ kind: "closeMidStream", times: 2 });
  assert.equal(schedule.take("tags"), null, "a non-matching request does not count");
  assert.ok(schedule.take("chat", "m"));
  assert.equal(schedule.remaining, 1);
  assert.ok(schedule.take("chat", "m"));
  assert.equal(schedule.take("chat", "m"), null);
  assert.equal(schedule.kind, "none");
});

Deno.test("FaultSchedule.take() never returns none or refuse", () => {
  assert.equal(new FaultSchedule().take("chat", "m"), null);
  assert.equal(new FaultSchedule("refuse").take("chat", "m"), null);
});

Deno.test("a stall may end after forMs; embeddings endpoints can be targeted", () => {
  assert.deepEqual(normalizeFault({ kind: "stall", afterTokens: 2, forMs: 300 }), {
    kind: "stall",
    afterTokens: 2,
    forMs: 300,
  });
  assert.throws(() => normalizeFault({ kind: "slow", forMs: 3 }), /forMs not used by kind "slow"/);
  const schedule = new FaultSchedule({ kind: "http500", endpoints: ["embed", "v1.embeddings"] });
  assert.ok(schedule.take("embed", "m"));
  assert.ok(schedule.take("v1.embeddings", "m"));
  assert.equal(schedule.take("chat", "m"), null);
});
