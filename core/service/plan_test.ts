import assert from "node:assert/strict";
import { planService, serviceFilePath, type ServiceStep } from "./plan.ts";

const spec = {
  argv: ["/usr/local/bin/neuromesh", "--no-open"],
  dataDir: "/d",
  logPath: "/d/neuromesh.log",
};
const linux = { os: "linux" as const, home: "/home/ann", user: "ann" };
const mac = { os: "darwin" as const, home: "/Users/ann" };
const windows = { os: "windows" as const, home: "C:\\Users\\ann" };

const commands = (steps: ServiceStep[]) =>
  steps.flatMap((s) => (s.kind === "run" ? [s.argv.join(" ")] : []));
const files = (steps: ServiceStep[]) =>
  steps.flatMap((s) => (s.kind === "write" || s.kind === "remove" ? [`${s.kind} ${s.path}`] : []));

Deno.test("serviceFilePath() follows each OS's per-user location", () => {
  assert.equal(serviceFilePath(linux), "/home/ann/.config/systemd/user/neuromesh.service");
  assert.equal(
    serviceFilePath({ ...linux, configHome: "/cfg" }),
    "/cfg/systemd/user/neuromesh.service",
  );
  assert.equal(serviceFilePath(mac), "/Users/ann/Library/LaunchAgents/dev.neuromesh.plist");
  assert.equal(serviceFilePath(windows), null);
});

Deno.test("planService() installs a systemd user unit and enables it now", () => {
  const plan = planService("install", linux, spec);
  assert.deepEqual(files(plan.steps), ["write /home/ann/.config/systemd/user/neuromesh.service"]);
  assert.deepEqual(commands(plan.steps), [
    "systemctl --user daemon-reload",
    "systemctl --user enable --now neuromesh.service",
    "systemctl --user restart neuromesh.service",
  ]);
  assert.deepEqual(plan.steps[0], { kind: "mkdir", path: "/d" });
  assert.ok(plan.notes.some((n) => n.includes("loginctl enable-linger ann")));
});

Deno.test("planService() uninstalls a systemd unit: disable, remove, reload", () => {
  const plan = planService("uninstall", linux, spec);
  assert.deepEqual(plan.steps, [
    {
      kind: "run",
      argv: ["systemctl", "--user", "disable", "--now", "neuromesh.service"],
      allowFailure: true,
    },
    { kind: "remove", path: "/home/ann/.config/systemd/user/neuromesh.service" },
    { kind: "run", argv: ["systemctl", "--user", "daemon-reload"] },
  ]);
  assert.deepEqual(planService("status", linux, spec).steps, [
    {
      kind: "run",
      argv: ["systemctl", "--user", "status", "neuromesh.service", "--no-pager"],
      report: true,
    },
  ]);
});

Deno.test("planService() loads a launchd agent with launchctl load -w", () => {
  const path = "/Users/ann/Library/LaunchAgents/dev.neuromesh.plist";
  const install = planService("install", mac, spec);
  assert.deepEqual(files(install.steps), [`write ${path}`]);
  assert.deepEqual(commands(install.steps), [
    `launchctl unload -w ${path}`,
    `launchctl load -w ${path}`,
  ]);
  const uninstall = planService("uninstall", mac, spec);
  assert.deepEqual(commands(uninstall.steps), [`launchctl unload -w ${path}`]);
  assert.deepEqual(files(uninstall.steps), [`remove ${path}`]);
  assert.deepEqual(commands(planService("status", mac, spec).steps), [
    "launchctl list dev.neuromesh",
  ]);
});

Deno.test("planService() creates a Windows logon task with schtasks and starts it", () => {
  const install = planService("install", windows, {
    ...spec,
    argv: ["C:\\nm\\neuromesh.exe"],
    logPath: "C:\\d\\n.log",
  });
  assert.deepEqual(files(install.steps), []);
  assert.deepEqual(commands(install.steps), [
    `schtasks /Create /F /SC ONLOGON /TN NeuroMesh /TR cmd /c "C:\\nm\\neuromesh.exe >> C:\\d\\n.log 2>&1"`,
    "schtasks /End /TN NeuroMesh",
    "schtasks /Run /TN NeuroMesh",
  ]);
  assert.deepEqual(commands(planService("uninstall", windows, spec).steps), [
    "schtasks /End /TN NeuroMesh",
    "schtasks /Delete /TN NeuroMesh /F",
  ]);
  assert.deepEqual(commands(planService("status", windows, spec).steps), [
    "schtasks /Query /TN NeuroMesh /V /FO LIST",
  ]);
});
