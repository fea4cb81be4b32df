import assert from "node:assert/strict";
import { DEFAULT_JSON_PATH, parseBenchArgs, SECTION_IDS } from "./options.ts";

Deno.test("parseBenchArgs() runs every section in full by default", () => {
  assert.deepEqual(parseBenchArgs([]), {
    help: false,
    options: { quick: false, sections: [...SECTION_IDS], jsonPath: DEFAULT_JSON_PATH },
  });
});

Deno.test("parseBenchArgs() keeps --only sections in run order and expands groups", () => {
  const command = parseBenchArgs(["--quick", "--only=conversations,link"]);
  assert.equal(command.help, false);
  if (command.help) return;
  assert.equal(command.options.quick, true);
  assert.deepEqual(command.options.sections, ["link", "store", "catchup", "propagation"]);
});

Deno.test("parseBenchArgs() accepts a separate value and --json", () => {
  const command = parseBenchArgs(["--only", "idle", "--json", "/tmp/x.json"]);
  assert.deepEqual(command, {
    help: false,
    options: { quick: false, sections: ["idle"], jsonPath: "/tmp/x.json" },
  });
});

Deno.test("parseBenchArgs() refuses unknown sections and options, quoting them", () => {
  assert.throws(() => parseBenchArgs(["--only=links"]), /unknown section "links" in --only/);
  assert.throws(() => parseBenchArgs(["--fast"]), /unknown option "--fast"/);
  assert.throws(() => parseBenchArgs(["--only="]), /option --only needs a value/);
  assert.throws(() => parseBenchArgs(["--quick=1"]), /--quick takes no value/);
});

Deno.test("parseBenchArgs() answers help", () => {
  assert.deepEqual(parseBenchArgs(["--quick", "-h"]), { help: true });
});

Deno.test("parseBenchArgs() takes --nodes for the scale section and refuses odd counts", () => {
  const command = parseBenchArgs(["--only=scale", "--nodes=20"]);
  assert.deepEqual(command, {
    help: false,
    options: { quick: false, sections: ["scale"], jsonPath: DEFAULT_JSON_PATH, nodes: 20 },
  });
  assert.throws(() => parseBenchArgs(["--nodes=2"]), /--nodes must be an integer 3-200, got "2"/);
  assert.throws(() => parseBenchArgs(["--nodes=many"]), /got "many"/);
});
