import assert from "node:assert/strict";
import { formatCommand, quotePosixArg, quoteWindowsArg } from "./shell_quote.ts";

Deno.test("quotePosixArg() leaves plain words bare and single-quotes the rest", () => {
  assert.equal(quotePosixArg("/usr/bin/deno"), "/usr/bin/deno");
  assert.equal(
    quotePosixArg("--allow-sys=hostname,networkInterfaces"),
    "--allow-sys=hostname,networkInterfaces",
  );
  assert.equal(quotePosixArg("/home/a b/x"), "'/home/a b/x'");
  assert.equal(quotePosixArg("it's"), `'it'\\''s'`);
  assert.equal(quotePosixArg(""), "''");
  assert.equal(quotePosixArg("$HOME"), "'$HOME'");
});

Deno.test("quoteWindowsArg() quotes spaces and escapes quotes and trailing backslashes", () => {
  assert.equal(quoteWindowsArg("C:\\Tools\\neuromesh.exe"), "C:\\Tools\\neuromesh.exe");
  assert.equal(
    quoteWindowsArg("C:\\Program Files\\NeuroMesh\\"),
    `"C:\\Program Files\\NeuroMesh\\\\"`,
  );
  assert.equal(quoteWindowsArg(`say "hi"`), `"say \\"hi\\""`);
  assert.equal(quoteWindowsArg(""), `""`);
});

Deno.test("formatCommand() joins quoted args with the quoting of the target OS", () => {
  assert.equal(
    formatCommand(["systemctl", "--user", "enable"], "linux"),
    "systemctl --user enable",
  );
  assert.equal(
    formatCommand(["/a b/neuromesh", "--name", "x"], "darwin"),
    "'/a b/neuromesh' --name x",
  );
  assert.equal(
    formatCommand(["schtasks", "/TN", "Neuro Mesh"], "windows"),
    `schtasks /TN "Neuro Mesh"`,
  );
});
