import assert from "node:assert/strict";
import {
  decodeVector,
  encodeVector,
  float32Base64,
  jsonStringBytes,
  splitBySize,
  splitInputs,
  splitVectors,
  VectorAssembly,
} from "./embed_batch.ts";

Deno.test("splitBySize() cuts runs by bytes and count, an oversized item alone", () => {
  const table: [number[], number, number, [number, number][]][] = [
    [[], 10, 5, [[0, 0]]],
    [[3, 3, 3], 10, 5, [[0, 3]]],
    [[3, 3, 3, 3], 10, 5, [[0, 3], [3, 4]]],
    [[3, 3, 3, 3], 100, 2, [[0, 2], [2, 4]]],
    [[20, 1, 1], 10, 5, [[0, 1], [1, 3]]],
    [[1, 20, 1], 10, 5, [[0, 1], [1, 2], [2, 3]]],
    [[5, 5], 10, 5, [[0, 2]]],
  ];
  for (const [sizes, budget, max, want] of table) {
    assert.deepEqual(
      splitBySize(sizes, budget, max).map((r) => [r.start, r.end]),
      want,
      `${sizes} within ${budget} bytes, ${max} items`,
    );
  }
});

Deno.test("splitBySize() refuses a budget or count that is not positive, quoting them", () => {
  assert.throws(() => splitBySize([1], 0, 1), /'budget' and 'maxCount'.*0 and 1/);
  assert.throws(() => splitBySize([1], 1, 0), /0/);
});

Deno.test("jsonStringBytes() is at least the JSON length of the string", () => {
  for (const text of ["", "abc", 'q"uote\\', "\n\t", "é", "漢字", "😀x", "a\u0001b"]) {
    const json = new TextEncoder().encode(JSON.stringify(text) + ",").length;
    assert.ok(
      jsonStringBytes(text) >= json,
      `${JSON.stringify(text)}: ${jsonStringBytes(text)} < ${json}`,
    );
  }
});

Deno.test("splitInputs() keeps every part's JSON within the budget", () => {
  const inputs = Array.from({ length: 1000 }, (_, i) => "word ".repeat(i % 37) + "é😀");
  const budget = 4096;
  const parts = splitInputs(inputs, budget, 100);
  assert.equal(parts[0].start, 0);
  assert.equal(parts.at(-1)!.end, inputs.length);
  for (const [i, part] of parts.entries()) {
    if (i > 0) assert.equal(part.start, parts[i - 1].end);
    const bytes = new TextEncoder().encode(JSON.stringify(inputs.slice(part.start, part.end)))
      .length;
    assert.ok(bytes <= budget, `part ${i} is ${bytes} bytes`);
    assert.ok(part.end - part.start <= 100);
  }
});

Deno.test("splitVectors() keeps every EMBD: payload's vectors within the budget", () => {
  const vectors = Array.from({ length: 300 }, (_, i) => encodeVector([i / 4, 0.5, -1]));
  const numbers = Array.from({ length: 300 }, () => [0.1, 0.2, 0.3]);
  for (const list of [vectors, numbers]) {
    const runs = splitVectors(list, 1000, 4096);
    for (const run of runs) {
      const bytes = JSON.stringify(list.slice(run.start, run.end)).length;
      assert.ok(bytes <= 1000, `${bytes} bytes`);
    }
    assert.equal(runs.at(-1)!.end, list.length);
  }
});

Deno.test("encodeVector() uses float32 base64 only when no value changes", () => {
  const exact = [0.5, -0.25, Math.fround(0.1), 0, -0];
  const encoded = encodeVector(exact);
  assert.equal(typeof encoded, "string");
  assert.equal(encoded, float32Base64(exact));
  assert.deepEqual(decodeVector(encoded), exact);
  assert.deepEqual(encodeVector([0.1, 0.5]), [0.1, 0.5]);
  assert.deepEqual(decodeVector([0.1]), [0.1]);
  assert.equal(encodeVector([]), "");
  assert.deepEqual(decodeVector(""), []);
});

Deno.test("decodeVector() refuses base64 that is not whole float32 values", () => {
  assert.throws(() => decodeVector(btoa("abc")), /3 bytes is not whole float32/);
  assert.throws(() => decodeVector("not base64!"));
});

Deno.test("encodeVector() and decodeVector() keep every float32 of a long vector exactly", () => {
  const values = Array.from({ length: 768 }, (_, i) => Math.fround(Math.sin(i) * 10 ** (i % 7)));
  values.push(-0, Math.fround(3.4e38), Math.fround(1e-45));
  const encoded = encodeVector(values);
  assert.equal(typeof encoded, "string");
  assert.equal((encoded as string).length, Math.ceil((values.length * 4) / 3) * 4);
  const decoded = decodeVector(encoded);
  assert.equal(decoded.length, values.length);
  assert.ok(decoded.every((value, i) => Object.is(value, values[i])));
});

Deno.test("VectorAssembly puts runs together in order and refuses gaps, overlaps and extras", () => {
  const v = (x: number) => encodeVector([x]);
  const whole = new VectorAssembly(3);
  whole.add(0, [v(1), v(2)]);
  whole.add(2, [[3]]);
  assert.deepEqual(whole.result(), [[1], [2], [3]]);

  const table: [string, (a: VectorAssembly) => void, RegExp][] = [
    ["a gap", (a) => a.add(1, [v(1)]), /starts at 1, expected 0/],
    ["an overlap", (a) => (a.add(0, [v(1)]), a.add(0, [v(1)])), /starts at 0, expected 1/],
    ["too many", (a) => a.add(0, [v(1), v(2), v(3), v(4)]), /ends at 4, past the 3 inputs/],
    ["too few", (a) => (a.add(0, [v(1)]), a.result()), /sent 1 embeddings for 3 inputs/],
  ];
  for (const [what, act, error] of table) {
    assert.throws(() => act(new VectorAssembly(3)), error, what);
  }
});
