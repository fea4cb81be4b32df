import assert from "node:assert/strict";
import { systemdQuote, systemdUnit } from "./systemd_unit.ts";

const spec = {
  argv: [
    "/opt/neuromesh/neuromesh",
    "--http-port=8080",
    "--data-dir=/home/ann/My Data/neuromesh",
    "--no-open",
  ],
  dataDir: "/home/ann/My Data/neuromesh",
  logPath: "/home/ann/My Data/neuromesh/neuromesh.log",
};

Deno.test("systemdUnit() runs the node at login and restarts it on failure", () => {
  const lines = systemdUnit(spec).split("\n");
  for (
    const line of [
      "[Service]",
      "Type=simple",
      `ExecStart=/opt/neuromesh/neuromesh --http-port=8080 "--data-dir=/home/ann/My Data/neuromesh" --no-open`,
      "Restart=on-failure",
      "StandardOutput=append:/home/ann/My Data/neuromesh/neuromesh.log",
      "StandardError=append:/home/ann/My Data/neuromesh/neuromesh.log",
      "[Install]",
      "WantedBy=default.target",
    ]
  ) assert.ok(lines.includes(line), `missing line ${JSON.stringify(line)} in\n${lines.join("\n")}`);
});

Deno.test("systemdQuote() quotes spaces and escapes quotes, backslashes, % and $", () => {
  assert.equal(systemdQuote("/usr/bin/deno"), "/usr/bin/deno");
  assert.equal(systemdQuote("/home/a b/deno"), `"/home/a b/deno"`);
  assert.equal(systemdQuote(`--name=Ann's "box"`), `"--name=Ann's \\"box\\""`);
  assert.equal(systemdQuote("C:\\x"), `"C:\\\\x"`);
  assert.equal(systemdQuote("--name=100%"), `"--name=100%%"`);
  assert.equal(systemdQuote("--name=$HOME"), `"--name=$$HOME"`);
});

Deno.test("systemdUnit() doubles % in the log path so systemd does not expand it", () => {
  const unit = systemdUnit({ ...spec, logPath: "/tmp/100%/n.log" });
  assert.ok(unit.includes("StandardOutput=append:/tmp/100%%/n.log\n"));
});
