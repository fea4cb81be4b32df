import assert from "node:assert/strict";
import { resolveConfig } from "../config/load.ts";
import { serviceNodeArgs } from "./node_args.ts";

const absolute = (path: string) => (path.startsWith("/") ? path : `/cwd/${path}`);

Deno.test("serviceNodeArgs() keeps the explicit settings, with an absolute data dir and --no-open", () => {
  const config = resolveConfig({
    httpPort: "9000",
    discovery: "false",
    peer: ["10.0.0.2", "10.0.0.3:7000"],
    dataDir: "data",
    name: "lab box",
  });
  const explicit = new Set(["httpPort", "discovery", "peer", "dataDir", "name"]);
  assert.deepEqual(serviceNodeArgs(config, explicit, absolute), [
    "--name=lab box",
    "--http-port=9000",
    "--no-discovery",
    "--peer=10.0.0.2",
    "--peer=10.0.0.3:7000",
    "--data-dir=/cwd/data",
    "--no-open",
  ]);
});

Deno.test("serviceNodeArgs() leaves out defaults and the open switch", () => {
  const config = resolveConfig({ open: "true", dataDir: "/srv/nm" });
  assert.deepEqual(serviceNodeArgs(config, new Set(["open", "dataDir"]), absolute), [
    "--data-dir=/srv/nm",
    "--no-open",
  ]);
});
