import { type FirewallTool } from "./rules.ts";

/** Linux firewall front ends in order of preference, with the program each is driven by. */
export const LINUX_FIREWALL_TOOLS: readonly [FirewallTool, string][] = [
  ["ufw", "ufw"],
  ["firewalld", "firewall-cmd"],
  ["nftables", "nft"],
];

/** Which firewall this machine has; null on Linux when none of the tools is installed. */
export async function detectFirewallTool(
  os: typeof Deno.build.os,
  which: (program: string) => Promise<string | null>,
): Promise<FirewallTool | null> {
  if (os === "windows") return "netsh";
  if (os === "darwin") return "socketfilterfw";
  for (const [tool, program] of LINUX_FIREWALL_TOOLS) {
    if (await which(program)) return tool;
  }
  return null;
}
