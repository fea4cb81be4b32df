import assert from "node:assert/strict";
import { firewallRules, firewallSources, PRIVATE_SOURCE_CIDRS } from "./rules.ts";

const spec = {
  discoveryPort: 5000,
  peerPort: 7878,
  sourceCidrs: ["10.0.0.0/8", "192.168.0.0/16"],
  executable: "/Applications/NeuroMesh/neuromesh",
};
const lines = (tool: Parameters<typeof firewallRules>[0], s = spec) =>
  firewallRules(tool, s).steps.map((step) => step.argv.join(" "));

Deno.test("PRIVATE_SOURCE_CIDRS are the private and link-local IPv4 ranges", () => {
  assert.deepEqual(PRIVATE_SOURCE_CIDRS, [
    "10.0.0.0/8",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "169.254.0.0/16",
  ]);
});

Deno.test("firewallSources() adds the user's ranges once", () => {
  assert.deepEqual(firewallSources(["100.64.0.0/10", "10.0.0.0/8"]), [
    ...PRIVATE_SOURCE_CIDRS,
    "100.64.0.0/10",
  ]);
});

Deno.test("firewallRules(ufw) allows each port from each private range only", () => {
  assert.deepEqual(lines("ufw"), [
    "ufw allow proto udp from 10.0.0.0/8 to any port 5000 comment NeuroMesh discovery",
    "ufw allow proto udp from 192.168.0.0/16 to any port 5000 comment NeuroMesh discovery",
    "ufw allow proto tcp from 10.0.0.0/8 to any port 7878 comment NeuroMesh peers",
    "ufw allow proto tcp from 192.168.0.0/16 to any port 7878 comment NeuroMesh peers",
  ]);
});

Deno.test("firewallRules(firewalld) adds permanent rich rules per family, then reloads", () => {
  assert.deepEqual(
    lines("firewalld", { ...spec, sourceCidrs: ["10.0.0.0/8", "fd00::/8"], peerPort: 7000 }),
    [
      `firewall-cmd --permanent --add-rich-rule=rule family="ipv4" source address="10.0.0.0/8" port port="5000" protocol="udp" accept`,
      `firewall-cmd --permanent --add-rich-rule=rule family="ipv6" source address="fd00::/8" port port="5000" protocol="udp" accept`,
      `firewall-cmd --permanent --add-rich-rule=rule family="ipv4" source address="10.0.0.0/8" port port="7000" protocol="tcp" accept`,
      `firewall-cmd --permanent --add-rich-rule=rule family="ipv6" source address="fd00::/8" port port="7000" protocol="tcp" accept`,
      "firewall-cmd --reload",
    ],
  );
});

Deno.test("firewallRules(nftables) inserts one rule per port and family with a source set", () => {
  const rules = firewallRules("nftables", {
    ...spec,
    sourceCidrs: [...spec.sourceCidrs, "fd00::/8"],
  });
  assert.deepEqual(rules.steps.map((s) => s.argv.join(" ")), [
    `nft insert rule inet filter input ip saddr { 10.0.0.0/8, 192.168.0.0/16 } udp dport 5000 accept comment "NeuroMesh discovery"`,
    `nft insert rule inet filter input ip6 saddr { fd00::/8 } udp dport 5000 accept comment "NeuroMesh discovery"`,
    `nft insert rule inet filter input ip saddr { 10.0.0.0/8, 192.168.0.0/16 } tcp dport 7878 accept comment "NeuroMesh peers"`,
    `nft insert rule inet filter input ip6 saddr { fd00::/8 } tcp dport 7878 accept comment "NeuroMesh peers"`,
  ]);
  assert.match(rules.notes[0], /nft list ruleset > \/etc\/nftables.conf/);
});

Deno.test("firewallRules(netsh) replaces named inbound rules limited by remoteip", () => {
  const rules = firewallRules("netsh", spec);
  assert.deepEqual(rules.steps, [
    {
      argv: ["netsh", "advfirewall", "firewall", "delete", "rule", "name=NeuroMesh-discovery"],
      allowFailure: true,
    },
    {
      argv:
        "netsh advfirewall firewall add rule name=NeuroMesh-discovery dir=in action=allow protocol=UDP localport=5000 remoteip=10.0.0.0/8,192.168.0.0/16"
          .split(" "),
    },
    {
      argv: ["netsh", "advfirewall", "firewall", "delete", "rule", "name=NeuroMesh-peers"],
      allowFailure: true,
    },
    {
      argv:
        "netsh advfirewall firewall add rule name=NeuroMesh-peers dir=in action=allow protocol=TCP localport=7878 remoteip=10.0.0.0/8,192.168.0.0/16"
          .split(" "),
    },
  ]);
});

Deno.test("firewallRules(socketfilterfw) adds and unblocks the executable on macOS", () => {
  assert.deepEqual(firewallRules("socketfilterfw", spec).steps, [
    { argv: ["/usr/libexec/ApplicationFirewall/socketfilterfw", "--add", spec.executable] },
    { argv: ["/usr/libexec/ApplicationFirewall/socketfilterfw", "--unblockapp", spec.executable] },
  ]);
});
