import assert from "node:assert/strict";
import { parsePeerAddress } from "./peer_address.ts";

Deno.test("parsePeerAddress() reads host and port, defaulting the port", () => {
  assert.deepEqual(parsePeerAddress("10.0.0.5:9000"), { host: "10.0.0.5", port: 9000 });
  assert.deepEqual(parsePeerAddress("nodeb.lan"), { host: "nodeb.lan", port: 7878 });
  assert.deepEqual(parsePeerAddress("nodeb.lan", 1234), { host: "nodeb.lan", port: 1234 });
});

Deno.test("parsePeerAddress() unbrackets IPv6 hosts", () => {
  assert.deepEqual(parsePeerAddress("[fe80::1]:7000"), { host: "fe80::1", port: 7000 });
  assert.deepEqual(parsePeerAddress("[::1]"), { host: "::1", port: 7878 });
});

Deno.test("parsePeerAddress() refuses bad ports and bare IPv6", () => {
  assert.throws(
    () => parsePeerAddress("host:0"),
    /Invalid peer address "host:0": port must be 1-65535/,
  );
  assert.throws(() => parsePeerAddress("host:70000"), /port must be 1-65535/);
  assert.throws(() => parsePeerAddress("fe80::1"), /expected HOST or HOST:PORT/);
  assert.throws(() => parsePeerAddress(""), /expected HOST or HOST:PORT/);
});
