import assert from "node:assert/strict";
import { launchCommand, RUNTIME_FLAGS, V8_FLAGS } from "./launch_command.ts";

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
    RUNTIME_FLAGS.every((flag) =>
      flag === V8_FLAGS || flag.startsWith("--allow-") || flag.startsWith("--unstable-")
    ),
  );
});

Deno.test("`deno task start` runs main.ts with RUNTIME_FLAGS, as the binary and the service do", async () => {
  const config = JSON.parse(
    await Deno.readTextFile(new URL("../../deno.json", import.meta.url)),
  ) as { tasks: Record<string, string> };
  assert.equal(config.tasks.start, `deno run ${RUNTIME_FLAGS.join(" ")} main.ts`);
});
