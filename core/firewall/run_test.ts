import assert from "node:assert/strict";
import { type CommandResult } from "../service/command_runner.ts";
import { type FirewallIo, runFirewallCommand } from "./run.ts";

function fakeIo(programs: string[], results: Record<string, Partial<CommandResult>> = {}) {
  const ran: string[] = [];
  const printed: string[] = [];
  const io: FirewallIo = {
    which: (program) => Promise.resolve(programs.includes(program) ? `/usr/sbin/${program}` : null),
    run: (argv) => {
      ran.push(argv.join(" "));
      const hit = Object.entries(results).find(([prefix]) => argv.join(" ").startsWith(prefix));
      return Promise.resolve({ code: 0, stdout: "", stderr: "", ...hit?.[1] });
    },
    print: (line) => void printed.push(line),
  };
  return { io, ran, printed };
}

const options = (apply: boolean) => ({
  os: "linux" as const,
  discoveryPort: 5001,
  peerPort: 7001,
  allowCidr: ["100.64.0.0/10"],
  executable: "/usr/bin/deno",
  apply,
});

Deno.test("runFirewallCommand() prints the rules for the detected tool and runs nothing", async () => {
  const { io, ran, printed } = fakeIo(["ufw"]);
  assert.equal(await runFirewallCommand(options(false), io), 0);
  assert.deepEqual(ran, []);
  assert.match(
    printed[0],
    /5001\/udp \(discovery\) and 7001\/tcp .*10\.0\.0\.0\/8, 172\.16\.0\.0\/12, .*100\.64\.0\.0\/10 only/,
  );
  assert.ok(printed.includes("Firewall: ufw. Commands, to run as root (sudo):"));
  assert.ok(
    printed.includes(
      "  ufw allow proto udp from 100.64.0.0/10 to any port 5001 comment 'NeuroMesh discovery'",
    ),
  );
  assert.equal(printed.filter((line) => line.startsWith("  ufw allow")).length, 10);
});

Deno.test("runFirewallCommand() with --apply runs each rule in order", async () => {
  const { io, ran } = fakeIo(["firewall-cmd", "nft"]);
  assert.equal(await runFirewallCommand(options(true), io), 0);
  assert.equal(ran.length, 11);
  assert.match(
    ran[0],
    /^firewall-cmd --permanent --add-rich-rule=rule family="ipv4" source address="10.0.0.0\/8"/,
  );
  assert.equal(ran.at(-1), "firewall-cmd --reload");
});

Deno.test("runFirewallCommand() with --apply stops at a refused rule and says to run it as root", async () => {
  const { io, ran, printed } = fakeIo(["ufw"], {
    "ufw allow": { code: 1, stderr: "ERROR: You need to be root" },
  });
  assert.equal(await runFirewallCommand(options(true), io), 1);
  assert.equal(ran.length, 1);
  assert.ok(printed.some((line) => line.endsWith("\nERROR: You need to be root")));
  assert.match(printed.at(-1)!, /as root \(sudo\)/);
});

Deno.test("runFirewallCommand() says so when no firewall tool is installed", async () => {
  const { io, ran, printed } = fakeIo([]);
  assert.equal(await runFirewallCommand(options(true), io), 0);
  assert.deepEqual(ran, []);
  assert.match(printed.at(-1)!, /No firewall tool found \(looked for ufw, firewall-cmd, nft\)/);
});

Deno.test("runFirewallCommand() on Windows goes on when an old rule was not there to delete", async () => {
  const { io, ran } = fakeIo([], {
    "netsh advfirewall firewall delete": { code: 1, stdout: "No rules match" },
  });
  assert.equal(await runFirewallCommand({ ...options(true), os: "windows" }, io), 0);
  assert.equal(ran.length, 4);
});
