import { DEFAULT_ALLOWED_CIDRS, parseCidr } from "../net/cidr.ts";
import { type CommandStep } from "../service/command_runner.ts";

export type FirewallTool = "ufw" | "firewalld" | "nftables" | "netsh" | "socketfilterfw";

/** What to open: the node's two listening ports, for these source ranges only. */
export interface FirewallSpec {
  discoveryPort: number;
  peerPort: number;
  sourceCidrs: string[];
  /** The program that listens (macOS allows programs, not ports). */
  executable: string;
}

export interface FirewallRules {
  steps: CommandStep[];
  notes: string[];
}

/** The private IPv4 ranges LAN peers come from: the default allow list minus loopback. */
export const PRIVATE_SOURCE_CIDRS: readonly string[] = DEFAULT_ALLOWED_CIDRS.filter((text) => {
  const cidr = parseCidr(text);
  return cidr.family === 4 && !text.startsWith("127.");
});

/** Private ranges plus the user's `--allow-cidr` ranges, without repeats. */
export function firewallSources(allowCidr: readonly string[]): string[] {
  return [...new Set([...PRIVATE_SOURCE_CIDRS, ...allowCidr])];
}

interface OpenPort {
  port: number;
  protocol: "udp" | "tcp";
  name: string;
}

const openPorts = (spec: FirewallSpec): OpenPort[] => [
  { port: spec.discoveryPort, protocol: "udp", name: "discovery" },
  { port: spec.peerPort, protocol: "tcp", name: "peers" },
];

const familyOf = (cidr: string) => parseCidr(cidr).family;

/** The commands that open the node's ports to the given sources with one firewall tool; pure. */
export function firewallRules(tool: FirewallTool, spec: FirewallSpec): FirewallRules {
  switch (tool) {
    case "ufw":
      return {
        steps: openPorts(spec).flatMap(({ port, protocol, name }) =>
          spec.sourceCidrs.map((cidr) => ({
            argv: [
              "ufw",
              "allow",
              "proto",
              protocol,
              "from",
              cidr,
              "to",
              "any",
              "port",
              String(port),
              "comment",
              `NeuroMesh ${name}`,
            ],
          }))
        ),
        notes: [],
      };
    case "firewalld":
      return {
        steps: [
          ...openPorts(spec).flatMap(({ port, protocol }) =>
            spec.sourceCidrs.map((cidr) => ({
              argv: [
                "firewall-cmd",
                "--permanent",
                `--add-rich-rule=rule family="ipv${familyOf(cidr)}" source address="${cidr}" ` +
                `port port="${port}" protocol="${protocol}" accept`,
              ],
            }))
          ),
          { argv: ["firewall-cmd", "--reload"] },
        ],
        notes: [],
      };
    case "nftables":
      return {
        steps: openPorts(spec).flatMap(({ port, protocol, name }) =>
          ([4, 6] as const).flatMap((family) => {
            const cidrs = spec.sourceCidrs.filter((cidr) => familyOf(cidr) === family);
            if (cidrs.length === 0) return [];
            return [{
              argv: [
                "nft",
                "insert",
                "rule",
                "inet",
                "filter",
                "input",
                family === 4 ? "ip" : "ip6",
                "saddr",
                `{ ${cidrs.join(", ")} }`,
                protocol,
                "dport",
                String(port),
                "accept",
                "comment",
                `"NeuroMesh ${name}"`,
              ],
            }];
          })
        ),
        notes: [
          "nftables: the rules go into chain input of table inet filter (the default /etc/nftables.conf) " +
          "and last until reboot; keep them with: nft list ruleset > /etc/nftables.conf",
        ],
      };
    case "netsh":
      return {
        steps: openPorts(spec).flatMap(({ port, protocol, name }) => {
          const rule = `name=NeuroMesh-${name}`;
          return [
            // Deleting first makes a second run replace the rule instead of adding a copy.
            {
              argv: ["netsh", "advfirewall", "firewall", "delete", "rule", rule],
              allowFailure: true,
            },
            {
              argv: [
                "netsh",
                "advfirewall",
                "firewall",
                "add",
                "rule",
                rule,
                "dir=in",
                "action=allow",
                `protocol=${protocol.toUpperCase()}`,
                `localport=${port}`,
                `remoteip=${spec.sourceCidrs.join(",")}`,
              ],
            },
          ];
        }),
        notes: [],
      };
    case "socketfilterfw": {
      const tool = "/usr/libexec/ApplicationFirewall/socketfilterfw";
      return {
        steps: [{ argv: [tool, "--add", spec.executable] }, {
          argv: [tool, "--unblockapp", spec.executable],
        }],
        notes: [
          "The macOS application firewall allows programs, not ports or address ranges; " +
          "NeuroMesh itself accepts peers only from the ranges above.",
        ],
      };
    }
  }
}
