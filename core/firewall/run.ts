import { type CommandRunner } from "../service/command_runner.ts";
import { formatCommand } from "../service/shell_quote.ts";
import { detectFirewallTool, LINUX_FIREWALL_TOOLS } from "./detect.ts";
import { firewallRules, firewallSources } from "./rules.ts";

export interface FirewallOptions {
  os: typeof Deno.build.os;
  discoveryPort: number;
  peerPort: number;
  /** The user's extra source ranges (`--allow-cidr`). */
  allowCidr: string[];
  executable: string;
  /** Run the commands instead of only printing them. */
  apply: boolean;
}

export interface FirewallIo {
  which(program: string): Promise<string | null>;
  run: CommandRunner;
  print(line: string): void;
}

/**
 * `neuromesh firewall [--apply]`: prints the commands that open the discovery (udp) and peer
 * (tcp) ports to private ranges with this machine's firewall tool, and runs them with --apply.
 */
export async function runFirewallCommand(
  options: FirewallOptions,
  io: FirewallIo,
): Promise<number> {
  const { os } = options;
  const sources = firewallSources(options.allowCidr);
  io.print(
    `NeuroMesh listens on ${options.discoveryPort}/udp (discovery) and ${options.peerPort}/tcp (peer links); ` +
      `these open them to ${sources.join(", ")} only.`,
  );
  const tool = await detectFirewallTool(os, io.which);
  if (!tool) {
    const looked = LINUX_FIREWALL_TOOLS.map(([, program]) => program).join(", ");
    io.print(
      `No firewall tool found (looked for ${looked}); without a firewall nothing needs opening.`,
    );
    return 0;
  }
  const rules = firewallRules(tool, {
    discoveryPort: options.discoveryPort,
    peerPort: options.peerPort,
    sourceCidrs: sources,
    executable: options.executable,
  });
  const admin = os === "windows" ? "from an administrator prompt" : "as root (sudo)";
  if (!options.apply) {
    io.print(`Firewall: ${tool}. Commands, to run ${admin}:`);
    for (const step of rules.steps) io.print(`  ${formatCommand(step.argv, os)}`);
    for (const note of rules.notes) io.print(note);
    io.print(`Or let NeuroMesh run them: neuromesh firewall --apply (${admin}).`);
    return 0;
  }
  for (const step of rules.steps) {
    const shown = formatCommand(step.argv, os);
    const result = await io.run(step.argv);
    if (result.code === 0) {
      io.print(`ran: ${shown}`);
    } else if (!step.allowFailure) {
      io.print(
        `failed (exit ${result.code}): ${shown}\n${(result.stderr || result.stdout).trimEnd()}`,
      );
      io.print(
        `Firewall rules need administrator rights: run neuromesh firewall --apply ${admin}.`,
      );
      return 1;
    }
  }
  for (const note of rules.notes) io.print(note);
  return 0;
}
