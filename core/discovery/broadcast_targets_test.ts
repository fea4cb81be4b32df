import assert from "node:assert/strict";
import { broadcastTargets, type InterfaceAddress, ipv4Broadcast } from "./broadcast_targets.ts";

const v4 = (name: string, address: string, netmask: string): InterfaceAddress => ({
  name,
  family: "IPv4",
  address,
  netmask,
});
const v6 = (name: string, address: string): InterfaceAddress => ({
  name,
  family: "IPv6",
  address,
  netmask: "ffff:ffff:ffff:ffff::",
});

// Shaped like Deno.networkInterfaces() on a laptop with Wi-Fi, Ethernet, Docker and a VPN.
const LAPTOP: InterfaceAddress[] = [
  v4("lo", "127.0.0.1", "255.0.0.0"),
  v6("lo", "::1"),
  v4("wlan0", "192.168.1.23", "255.255.255.0"),
  v6("wlan0", "fe80::1"),
  v4("eth0", "10.20.30.40", "255.255.240.0"),
  v4("docker0", "172.17.0.1", "255.255.0.0"),
  v4("tailscale0", "100.101.102.103", "255.255.255.255"),
  v4("eth0", "10.20.31.1", "255.255.240.0"), // second address in the same subnet
];

Deno.test("ipv4Broadcast() sets every host bit", () => {
  assert.equal(ipv4Broadcast("192.168.1.23", "255.255.255.0"), "192.168.1.255");
  assert.equal(ipv4Broadcast("10.20.30.40", "255.255.240.0"), "10.20.31.255");
  assert.equal(ipv4Broadcast("10.1.2.3", "255.0.0.0"), "10.255.255.255");
  assert.equal(ipv4Broadcast("192.168.1.5", "255.255.255.252"), "192.168.1.7");
});

Deno.test("ipv4Broadcast() gives none for /31, /32 and unparsable input", () => {
  assert.equal(ipv4Broadcast("100.101.102.103", "255.255.255.255"), null);
  assert.equal(ipv4Broadcast("10.0.0.0", "255.255.255.254"), null);
  assert.equal(ipv4Broadcast("fe80::1", "ffff::"), null);
  assert.equal(ipv4Broadcast("10.0.0.1", "nonsense"), null);
});

Deno.test("broadcastTargets() covers every IPv4 interface but loopback, once per subnet", () => {
  assert.deepEqual(broadcastTargets(LAPTOP), ["192.168.1.255", "10.20.31.255", "172.17.255.255"]);
});

Deno.test("broadcastTargets() includes loopback when asked", () => {
  assert.deepEqual(broadcastTargets(LAPTOP, { includeLoopback: true })[0], "127.255.255.255");
});

Deno.test("broadcastTargets() keeps only the configured interfaces", () => {
  assert.deepEqual(broadcastTargets(LAPTOP, { interfaces: ["wlan0"] }), ["192.168.1.255"]);
  assert.deepEqual(broadcastTargets(LAPTOP, { interfaces: ["eth0", "docker0"] }), [
    "10.20.31.255",
    "172.17.255.255",
  ]);
  assert.deepEqual(broadcastTargets(LAPTOP, { interfaces: ["nope0"] }), []);
  assert.deepEqual(broadcastTargets(LAPTOP, { interfaces: ["lo"] }), []);
});

Deno.test("broadcastTargets() uses exactly the explicit addresses when given", () => {
  assert.deepEqual(
    broadcastTargets(LAPTOP, { explicit: ["10.99.0.255", "192.168.7.12", "10.99.0.255"] }),
    ["10.99.0.255", "192.168.7.12"],
  );
  assert.deepEqual(broadcastTargets([], { explicit: ["255.255.255.255"] }), ["255.255.255.255"]);
});

Deno.test("broadcastTargets() refuses an explicit address that is not IPv4, quoting it", () => {
  assert.throws(
    () => broadcastTargets(LAPTOP, { explicit: ["lan.local"] }),
    /Invalid broadcast address "lan.local"/,
  );
  assert.throws(() => broadcastTargets(LAPTOP, { explicit: ["ff02::1"] }), RangeError);
});

Deno.test("broadcastTargets() accepts the live interface list of this machine", () => {
  const targets = broadcastTargets(Deno.networkInterfaces());
  for (const target of targets) assert.match(target, /^\d+\.\d+\.\d+\.\d+$/);
});
