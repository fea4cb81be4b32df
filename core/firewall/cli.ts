import { type Invocation } from "../config/from_process.ts";
import { findOnPath, runCommand } from "../service/command_runner.ts";
import { type FirewallIo, runFirewallCommand } from "./run.ts";

/** Firewall tools live in sbin, which a normal user's PATH often lacks. */
const SBIN = ["/usr/local/sbin", "/usr/sbin", "/sbin"];

export const denoFirewallIo: FirewallIo = {
  which: (program) => {
    const path = [Deno.env.get("PATH") ?? "", ...SBIN].join(":");
    return findOnPath(
      program,
      (name) => (name === "PATH" && Deno.build.os !== "windows" ? path : Deno.env.get(name)),
    );
  },
  run: runCommand,
  print: (line) => console.log(line),
};

/** `neuromesh firewall [--apply]` as main.ts dispatches it, with ports from the config. */
export function firewallCli(
  invocation: Invocation,
  io: FirewallIo = denoFirewallIo,
): Promise<number> {
  const { config } = invocation;
  return runFirewallCommand({
    os: Deno.build.os,
    discoveryPort: config.discoveryPort,
    peerPort: config.peerPort,
    allowCidr: config.allowCidr,
    executable: Deno.execPath(),
    apply: invocation.extra.apply === true,
  }, io);
}
