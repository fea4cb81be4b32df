import assert from "node:assert/strict";
import { launchdPlist, xmlEscape } from "./launchd_plist.ts";

const spec = {
  argv: [
    "/Applications/Neuro Mesh/neuromesh",
    "--name=R&D <lab>",
    "--data-dir=/Users/ann/NM",
    "--no-open",
  ],
  dataDir: "/Users/ann/NM",
  logPath: "/Users/ann/NM/neuromesh.log",
};

Deno.test("launchdPlist() lists each argument as its own escaped <string>", () => {
  const plist = launchdPlist(spec);
  assert.ok(plist.startsWith(`<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE plist`));
  assert.match(plist, /<key>Label<\/key>\n\s*<string>dev\.neuromesh<\/string>/);
  assert.match(
    plist,
    new RegExp(
      "<key>ProgramArguments</key>\\n\\s*<array>\\n" +
        "\\s*<string>/Applications/Neuro Mesh/neuromesh</string>\\n" +
        "\\s*<string>--name=R&amp;D &lt;lab&gt;</string>\\n" +
        "\\s*<string>--data-dir=/Users/ann/NM</string>\\n" +
        "\\s*<string>--no-open</string>\\n\\s*</array>",
    ),
  );
  assert.match(plist, /<key>RunAtLoad<\/key>\n\s*<true\/>/);
  assert.match(
    plist,
    /<key>StandardOutPath<\/key>\n\s*<string>\/Users\/ann\/NM\/neuromesh\.log<\/string>/,
  );
  assert.match(
    plist,
    /<key>StandardErrorPath<\/key>\n\s*<string>\/Users\/ann\/NM\/neuromesh\.log<\/string>/,
  );
  assert.match(
    plist,
    /<key>KeepAlive<\/key>\n\s*<dict>\n\s*<key>SuccessfulExit<\/key>\n\s*<false\/>/,
  );
});

Deno.test("xmlEscape() escapes the five XML special characters", () => {
  assert.equal(xmlEscape(`a&b<c>d"e'f`), "a&amp;b&lt;c&gt;d&quot;e&apos;f");
});
