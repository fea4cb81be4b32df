import assert from "node:assert/strict";
import { listensBeyondLoopback, pageAddresses } from "./page_addresses.ts";

const interfaces = [
  { family: "IPv4" as const, address: "127.0.0.1" },
  { family: "IPv4" as const, address: "100.64.1.2" },
  { family: "IPv6" as const, address: "fe80::1" },
  { family: "IPv4" as const, address: "192.168.1.20" },
  { family: "IPv4" as const, address: "169.254.3.3" },
  { family: "IPv4" as const, address: "192.168.1.20" },
];

Deno.test("pageAddresses() lists the LAN addresses of a wildcard host, home networks first", () => {
  assert.deepEqual(pageAddresses("0.0.0.0", 8080, interfaces), [
    "http://192.168.1.20:8080",
    "http://100.64.1.2:8080",
  ]);
  assert.deepEqual(pageAddresses("::", 9000, interfaces)[0], "http://192.168.1.20:9000");
});

Deno.test("pageAddresses() gives a named host as it is, and nothing on loopback", () => {
  assert.deepEqual(pageAddresses("10.0.0.7", 8080, interfaces), ["http://10.0.0.7:8080"]);
  assert.deepEqual(pageAddresses("fd00::7", 8080, interfaces), ["http://[fd00::7]:8080"]);
  assert.deepEqual(pageAddresses("127.0.0.1", 8080, interfaces), []);
  assert.deepEqual(pageAddresses("localhost", 8080, interfaces), []);
  assert.equal(listensBeyondLoopback("127.0.0.1"), false);
  assert.equal(listensBeyondLoopback("0.0.0.0"), true);
});
