import assert from "node:assert/strict";
import { RUNTIME_FLAGS } from "../core/service/launch_command.ts";
import {
  causeChain,
  COMPILE_TARGETS,
  compileArgs,
  isDenortUnavailable,
  targetsToBuild,
} from "./compile.ts";

Deno.test("COMPILE_TARGETS cover Linux, macOS (x64 and arm64) and Windows x64 with distinct files", () => {
  assert.deepEqual(COMPILE_TARGETS.map((t) => t.target), [
    "x86_64-unknown-linux-gnu",
    "aarch64-unknown-linux-gnu",
    "x86_64-apple-darwin",
    "aarch64-apple-darwin",
    "x86_64-pc-windows-msvc",
  ]);
  assert.equal(new Set(COMPILE_TARGETS.map((t) => t.file)).size, 5);
  assert.ok(COMPILE_TARGETS.find((t) => t.target.includes("windows"))!.file.endsWith(".exe"));
});

Deno.test("compileArgs() compiles with the explicit runtime flags, never -A", () => {
  const args = compileArgs("aarch64-apple-darwin", "dist/neuromesh-macos-arm64", "main.ts");
  assert.deepEqual(args, [
    "compile",
    "--target",
    "aarch64-apple-darwin",
    "--output",
    "dist/neuromesh-macos-arm64",
    ...RUNTIME_FLAGS,
    "main.ts",
  ]);
  assert.ok(!args.includes("-A") && !args.includes("--allow-all"));
});

Deno.test("isDenortUnavailable() recognises the failed runtime download, not other errors", () => {
  const offline =
    "error: Writing deno compile executable to temporary file 'out.tmp'\n\nCaused by:\n" +
    "    0: Setting up base binary.\n    1: error sending request for url " +
    "(https://dl.deno.land/release/v2.9.6/denort-x86_64-unknown-linux-gnu.zip): dns error";
  assert.equal(isDenortUnavailable(offline), true);
  assert.equal(
    isDenortUnavailable("error: TS2322 [ERROR]: Type 'string' is not assignable to type 'number'."),
    false,
  );
});

Deno.test("targetsToBuild() builds every target, or only the host's with a local DENORT_BIN", () => {
  assert.equal(targetsToBuild(undefined, "x86_64-unknown-linux-gnu"), COMPILE_TARGETS);
  assert.deepEqual(targetsToBuild("/opt/denort", "aarch64-apple-darwin"), [
    { target: "aarch64-apple-darwin", file: "neuromesh-macos-arm64" },
  ]);
  assert.deepEqual(targetsToBuild("/opt/denort", "riscv64gc-unknown-linux-gnu"), []);
});

Deno.test("causeChain() joins Deno's numbered causes into one line", () => {
  const stderr =
    "error: Writing deno compile executable to temporary file 'b.tmp'\n\nCaused by:\n" +
    "    0: Could not find denort at '/nonexistent'\n    1: No such file or directory (os error 2)\n";
  assert.equal(
    causeChain(stderr),
    "Could not find denort at '/nonexistent': No such file or directory (os error 2)",
  );
  assert.equal(causeChain("error: something broke\n"), "error: something broke");
});
