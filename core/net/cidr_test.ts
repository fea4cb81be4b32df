import assert from "node:assert/strict";
import { CidrSet, DEFAULT_ALLOWED_CIDRS, parseCidr, parseIp } from "./cidr.ts";

Deno.test("CidrSet with the default ranges accepts private, link-local and loopback addresses", () => {
  const allowed = new CidrSet(DEFAULT_ALLOWED_CIDRS);
  for (
    const ip of [
      "10.1.2.3",
      "172.16.0.1",
      "172.31.255.255",
      "192.168.1.10",
      "169.254.3.4",
      "127.0.0.1",
      "::1",
      "fd00::5",
      "::ffff:10.0.0.7",
    ]
  ) {
    assert.ok(allowed.matches(ip), ip);
  }
});

Deno.test("CidrSet with the default ranges refuses public addresses and garbage", () => {
  const allowed = new CidrSet(DEFAULT_ALLOWED_CIDRS);
  for (
    const ip of [
      "8.8.8.8",
      "172.32.0.1",
      "100.64.0.1",
      "2001:db8::1",
      "not-an-ip",
      "10.0.0.256",
      "",
    ]
  ) {
    assert.ok(!allowed.matches(ip), ip);
  }
});

Deno.test("CidrSet accepts a user range such as Tailscale's 100.64.0.0/10", () => {
  const allowed = new CidrSet([...DEFAULT_ALLOWED_CIDRS, "100.64.0.0/10"]);
  assert.ok(allowed.matches("100.100.1.1"));
  assert.ok(!allowed.matches("100.128.0.1"));
});

Deno.test("parseCidr() rejects a bad prefix and a bad address with the value quoted", () => {
  assert.throws(() => parseCidr("10.0.0.0/33"), /"10.0.0.0\/33"/);
  assert.throws(() => parseCidr("10.0.0/8"), /not an IP address/);
});

Deno.test("parseIp() handles compressed IPv6 and IPv4-mapped forms", () => {
  assert.deepEqual(parseIp("::1"), { family: 6, bits: 1n });
  assert.deepEqual(parseIp("::ffff:192.168.0.1"), { family: 4, bits: 0xc0a80001n });
  assert.equal(parseIp("1:2:3:4:5:6:7:8:9"), null);
});
