import assert from "node:assert/strict";
import { findOnPath, runCommand } from "./command_runner.ts";

const posix = Deno.build.os !== "windows";

Deno.test({
  name: "runCommand() returns exit code and output of the tool",
  ignore: !posix,
  fn: async () => {
    const result = await runCommand(["sh", "-c", "echo out; echo err >&2; exit 3"]);
    assert.deepEqual(result, { code: 3, stdout: "out\n", stderr: "err\n" });
  },
});

Deno.test("runCommand() reports a missing tool as exit code 127", async () => {
  const result = await runCommand(["neuromesh-no-such-tool-xyz"]);
  assert.equal(result.code, 127);
  assert.match(result.stderr, /neuromesh-no-such-tool-xyz: command not found/);
});

Deno.test({
  name: "findOnPath() finds executables only, in PATH order",
  ignore: !posix,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      await Deno.mkdir(`${dir}/a`);
      await Deno.mkdir(`${dir}/b`);
      await Deno.writeTextFile(`${dir}/a/tool`, "not executable", { mode: 0o644 });
      await Deno.writeTextFile(`${dir}/b/tool`, "#!/bin/sh\n", { mode: 0o755 });
      const env = (name: string) => (name === "PATH" ? `${dir}/a:${dir}/b/` : undefined);
      assert.equal(await findOnPath("tool", env, "linux"), `${dir}/b/tool`);
      assert.equal(await findOnPath("missing", env, "linux"), null);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
