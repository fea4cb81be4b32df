import assert from "node:assert/strict";
import {
  folderCycles,
  oversized,
  productImportsOfTestSupport,
  readSources,
  type SourceFile,
  unreachableFromMain,
} from "./structure.ts";

const file = (path: string, imports: string[] = [], lines = 10): SourceFile => ({
  path,
  imports,
  lines,
});

Deno.test("folderCycles() names folders that import each other, ignoring tests and testing/", () => {
  const files = [
    file("core/a/x.ts", ["core/b/y.ts"]),
    file("core/b/y.ts", ["core/a/z.ts"]),
    file("core/c/w.ts", ["core/a/x.ts"]),
    file("core/a/x_test.ts", ["core/c/w.ts"]),
    file("core/a/testing/fake.ts", ["core/c/w.ts"]),
  ];
  const cycles = folderCycles(files);
  assert.equal(cycles.length, 1);
  assert.match(cycles[0], /^core\/a ↔ core\/b/);
});

Deno.test("folderCycles() finds a circle of three folders", () => {
  const files = [
    file("core/a/x.ts", ["core/b/y.ts"]),
    file("core/b/y.ts", ["core/c/z.ts"]),
    file("core/c/z.ts", ["core/a/x.ts"]),
    file("core/d/w.ts", ["core/a/x.ts"]),
  ];
  const cycles = folderCycles(files);
  assert.equal(cycles.length, 1);
  assert.match(cycles[0], /^core\/a ↔ core\/b ↔ core\/c \(/);
});

Deno.test("oversized() and productImportsOfTestSupport() check product files only", () => {
  const files = [
    file("core/a/big.ts", [], 501),
    file("core/a/big_test.ts", [], 900),
    file("core/a/uses.ts", ["core/a/testing/fake.ts", "tests/support/x.ts", "core/b/ok.ts"]),
    file("core/a/testing/fake.ts", ["tests/support/x.ts"]),
  ];
  assert.deepEqual(oversized(files), ["core/a/big.ts: 501 lines"]);
  assert.deepEqual(productImportsOfTestSupport(files), [
    "core/a/uses.ts → core/a/testing/fake.ts",
    "core/a/uses.ts → tests/support/x.ts",
  ]);
});

Deno.test("the code base keeps its structure: one-way folders, small files, no test code in the product", async () => {
  const files = await readSources(new URL("../../", import.meta.url).pathname);
  assert.ok(files.length > 100, `read only ${files.length} files`);
  assert.deepEqual(folderCycles(files), []);
  assert.deepEqual(oversized(files), []);
  assert.deepEqual(productImportsOfTestSupport(files), []);
  assert.deepEqual(unreachableFromMain(files), []);
});

Deno.test("unreachableFromMain() follows static and lazy imports from main.ts", () => {
  const files = [
    file("main.ts", ["core/a/x.ts"]),
    file("core/a/x.ts", ["core/b/y.ts"]),
    file("core/b/y.ts"),
    file("core/b/orphan.ts"),
    file("core/b/testing/double.ts"),
  ];
  assert.deepEqual(unreachableFromMain(files), ["core/b/orphan.ts"]);
});
