import assert from "node:assert/strict";
import { launchCommand, RUNTIME_FLAGS } from "./launch_command.ts";

Deno.test("launchCommand() of a compiled executable is the executable alone", () => {
  assert.deepEqual(
    launchCommand({
      execPath: "/opt/nm/neuromesh",
      mainModule: "file:///tmp/x/main.ts",
      standalone: true,
    }),
    ["/opt/nm/neuromesh"],
  );
});

Deno.test("launchCommand() of a bundle is deno run with the runtime flags and the script path", () => {
  assert.deepEqual(
    launchCommand({
      execPath: "/usr/bin/deno",
      mainModule: "file:///home/a%20b/neuromesh.js",
      standalone: false,
    }),
    ["/usr/bin/deno", "run", ...RUNTIME_FLAGS, "/home/a b/neuromesh.js"],
  );
});

Deno.test("launchCommand() of a source checkout passes its deno.json", () => {
  assert.deepEqual(
    launchCommand({
      execPath: "/usr/bin/deno",
      mainModule: "file:///src/nm/main.ts",
      standalone: false,
      configFile: "/src/nm/deno.json",
    }),
    ["/usr/bin/deno", "run", ...RUNTIME_FLAGS, "--config", "/src/nm/deno.json", "/src/nm/main.ts"],
  );
});

Deno.test("RUNTIME_FLAGS are explicit: no -A, no --allow-all", () => {
  assert.ok(!RUNTIME_FLAGS.includes("-A") && !RUNTIME_FLAGS.includes("--allow-all"));
  assert.ok(
    RUNTIME_FLAGS.every((flag) => flag.startsWith("--allow-") || flag.startsWith("--unstable-")),
  );
});
