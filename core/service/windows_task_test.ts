import assert from "node:assert/strict";
import { cmdQuote, windowsTaskCommand } from "./windows_task.ts";

Deno.test("windowsTaskCommand() runs the node through cmd with output appended to the log", () => {
  const command = windowsTaskCommand({
    argv: ["C:\\Program Files\\NeuroMesh\\neuromesh.exe", "--name=R&D", "--no-open"],
    dataDir: "C:\\Users\\ann\\AppData\\Roaming\\NeuroMesh",
    logPath: "C:\\Users\\ann\\AppData\\Roaming\\NeuroMesh\\neuromesh.log",
  });
  assert.equal(
    command,
    `cmd /c ""C:\\Program Files\\NeuroMesh\\neuromesh.exe" "--name=R&D" --no-open >> ` +
      `C:\\Users\\ann\\AppData\\Roaming\\NeuroMesh\\neuromesh.log 2>&1"`,
  );
});

Deno.test("windowsTaskCommand() refuses a command longer than schtasks accepts, quoting it", () => {
  const long = `C:\\${"x".repeat(300)}`;
  assert.throws(
    () =>
      windowsTaskCommand({
        argv: [`${long}\\neuromesh.exe`],
        dataDir: long,
        logPath: `${long}\\n.log`,
      }),
    /command is \d+ characters, schtasks allows 261.*cmd \/c/,
  );
});

Deno.test("cmdQuote() quotes spaces and cmd metacharacters only", () => {
  assert.equal(cmdQuote("--no-open"), "--no-open");
  assert.equal(cmdQuote("a b"), `"a b"`);
  assert.equal(cmdQuote("a|b"), `"a|b"`);
  assert.equal(cmdQuote(""), `""`);
});
