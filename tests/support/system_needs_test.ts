import assert from "node:assert/strict";
import { findTool, planSystemNeeds, type SystemFacts, type SystemPlan } from "./system_needs.ts";

const ALL_PRESENT = "system needs: chromium, iproute2, tcpdump, curl present, nothing to install";
const NOT_ROOT_SKIP =
  "system needs: not root, so network-namespace tests skip; run the test command as root";

const cases: [string, SystemFacts, SystemPlan][] = [
  [
    "all present as root: nothing to run",
    { missing: [], root: true, apt: true, ci: true },
    { commands: [], lines: [ALL_PRESENT] },
  ],
  [
    "missing as root with apt: update once, install only what is missing, one line",
    { missing: ["chromium", "tcpdump"], root: true, apt: true, ci: false },
    {
      commands: [
        ["apt-get", "update", "-qq"],
        ["apt-get", "install", "-y", "-qq", "chromium", "tcpdump"],
      ],
      lines: ["system needs: installing chromium tcpdump (apt-get, as root)"],
    },
  ],
  [
    "missing, not root: the sudo command, skips outside CI, and the namespace tests need root",
    { missing: ["tcpdump"], root: false, apt: true, ci: false },
    {
      commands: [],
      lines: [
        "system needs: missing tcpdump (the packet-capture test); tests needing it skip; " +
        "run: sudo apt-get update && sudo apt-get install -y tcpdump",
        NOT_ROOT_SKIP,
      ],
    },
  ],
  [
    "missing as root without apt-get: no command to run, the tests fail under CI",
    { missing: ["chromium", "iproute2"], root: true, apt: false, ci: true },
    {
      commands: [],
      lines: [
        "system needs: missing chromium iproute2 (browser tests, network-namespace tests); " +
        "tests needing it fail (CI=true); install chromium iproute2 with this system's " +
        "package manager",
      ],
    },
  ],
  [
    "all present, not root, under CI: the namespace tests fail",
    { missing: [], root: false, apt: true, ci: true },
    {
      commands: [],
      lines: [
        ALL_PRESENT,
        "system needs: not root, so network-namespace tests fail (CI=true); " +
        "run the test command as root",
      ],
    },
  ],
];

for (const [name, facts, expected] of cases) {
  Deno.test(`planSystemNeeds: ${name}`, () => {
    assert.deepEqual(planSystemNeeds(facts), expected);
  });
}

Deno.test("findTool looks on PATH or at the fixed path only", () => {
  const dir = Deno.makeTempDirSync();
  const saved = Deno.env.get("PATH");
  try {
    Deno.writeTextFileSync(`${dir}/sometool`, "#!/bin/sh\n", { mode: 0o755 });
    Deno.writeTextFileSync(`${dir}/plainfile`, "", { mode: 0o644 });
    Deno.env.set("PATH", `/nonexistent:${dir}`);
    assert.equal(findTool("sometool"), `${dir}/sometool`);
    assert.equal(findTool("plainfile"), null, "not executable");
    assert.equal(findTool("sh"), null, "not on this PATH");
    assert.equal(findTool("anything", `${dir}/sometool`), `${dir}/sometool`);
    assert.equal(findTool("sometool", `${dir}/elsewhere`), null);
  } finally {
    if (saved === undefined) Deno.env.delete("PATH");
    else Deno.env.set("PATH", saved);
    Deno.removeSync(dir, { recursive: true });
  }
});
