import assert from "node:assert/strict";
import { type CommandResult } from "./command_runner.ts";
import { runServiceCommand, type ServiceIo } from "./run.ts";

/** A machine that records everything and runs nothing; `results` answers commands by prefix. */
function fakeIo(results: Record<string, Partial<CommandResult>> = {}) {
  const log: string[] = [];
  const printed: string[] = [];
  const io: ServiceIo = {
    run: (argv) => {
      log.push(`run ${argv.join(" ")}`);
      const hit = Object.entries(results).find(([prefix]) => argv.join(" ").startsWith(prefix));
      return Promise.resolve({ code: 0, stdout: "", stderr: "", ...hit?.[1] });
    },
    mkdir: (path) => Promise.resolve(void log.push(`mkdir ${path}`)),
    writeTextFile: (path, content) =>
      Promise.resolve(void log.push(`write ${path} ${content.length}`)),
    remove: (path) => Promise.resolve(void log.push(`remove ${path}`)),
    print: (line) => void printed.push(line),
  };
  return { io, log, printed };
}

const options = (dryRun: boolean) => ({
  host: { os: "linux" as const, home: "/home/ann", user: "ann" },
  spec: {
    argv: ["/opt/nm/neuromesh", "--no-open"],
    dataDir: "/home/ann/nm",
    logPath: "/home/ann/nm/neuromesh.log",
  },
  dryRun,
});
const unitPath = "/home/ann/.config/systemd/user/neuromesh.service";

Deno.test("runServiceCommand() with --dry-run prints the file and commands and touches nothing", async () => {
  const { io, log, printed } = fakeIo();
  assert.equal(await runServiceCommand("install", options(true), io), 0);
  assert.deepEqual(log, []);
  const text = printed.join("\n");
  assert.ok(text.includes(`[dry run] would write ${unitPath}:\n# Written by`));
  assert.ok(text.includes("ExecStart=/opt/nm/neuromesh --no-open"));
  assert.ok(text.includes("[dry run] would run: systemctl --user daemon-reload"));
  assert.ok(text.includes("[dry run] would run: systemctl --user enable --now neuromesh.service"));
  assert.ok(text.includes("Logs: /home/ann/nm/neuromesh.log"));
});

Deno.test("runServiceCommand() install writes the unit, then runs systemctl in order", async () => {
  const { io, log } = fakeIo();
  assert.equal(await runServiceCommand("install", options(false), io), 0);
  assert.deepEqual(log.map((l) => l.replace(/ \d+$/, "")), [
    "mkdir /home/ann/nm",
    `write ${unitPath}`,
    "run systemctl --user daemon-reload",
    "run systemctl --user enable --now neuromesh.service",
    "run systemctl --user restart neuromesh.service",
  ]);
});

Deno.test("runServiceCommand() stops at the first failing command and quotes its error", async () => {
  const { io, log, printed } = fakeIo({
    "systemctl --user daemon-reload": { code: 1, stderr: "Failed to connect to bus" },
  });
  assert.equal(await runServiceCommand("install", options(false), io), 1);
  assert.equal(log.at(-1), "run systemctl --user daemon-reload");
  assert.ok(
    printed.includes("failed (exit 1): systemctl --user daemon-reload\nFailed to connect to bus"),
  );
});

Deno.test("runServiceCommand() uninstall goes on when the unit was not enabled", async () => {
  const { io, log } = fakeIo({ "systemctl --user disable": { code: 1, stderr: "not loaded" } });
  assert.equal(await runServiceCommand("uninstall", options(false), io), 0);
  assert.deepEqual(log, [
    "run systemctl --user disable --now neuromesh.service",
    `remove ${unitPath}`,
    "run systemctl --user daemon-reload",
  ]);
});

Deno.test("runServiceCommand() status prints the tool's answer and returns its exit code", async () => {
  const { io, printed } = fakeIo({
    "systemctl --user status": { code: 3, stdout: "inactive (dead)\n" },
  });
  assert.equal(await runServiceCommand("status", options(false), io), 3);
  assert.deepEqual(printed, ["inactive (dead)"]);
});

Deno.test("runServiceCommand() rejects an unknown action with the usage and exit code 2", async () => {
  const { io, log, printed } = fakeIo();
  assert.equal(await runServiceCommand("start", options(false), io), 2);
  assert.equal(await runServiceCommand(undefined, options(false), io), 2);
  assert.deepEqual(log, []);
  assert.match(
    printed[0],
    /unknown service action "start"; usage: neuromesh service install\|uninstall\|status/,
  );
});

Deno.test("runServiceCommand() reports a Windows command too long for schtasks without running it", async () => {
  const { io, log, printed } = fakeIo();
  const long = `C:\\${"x".repeat(300)}`;
  const windows = {
    host: { os: "windows" as const, home: "C:\\Users\\ann" },
    spec: { argv: [`${long}\\neuromesh.exe`], dataDir: long, logPath: `${long}\\n.log` },
    dryRun: false,
  };
  assert.equal(await runServiceCommand("install", windows, io), 1);
  assert.deepEqual(log, []);
  assert.match(printed[0], /neuromesh service install: Cannot create the logon task/);
});
