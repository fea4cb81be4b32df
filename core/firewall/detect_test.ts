import assert from "node:assert/strict";
import { detectFirewallTool } from "./detect.ts";

const having = (...programs: string[]) => (program: string) =>
  Promise.resolve(programs.includes(program) ? `/usr/sbin/${program}` : null);

Deno.test("detectFirewallTool() prefers ufw, then firewalld, then nftables on Linux", async () => {
  assert.equal(await detectFirewallTool("linux", having("nft", "firewall-cmd", "ufw")), "ufw");
  assert.equal(await detectFirewallTool("linux", having("nft", "firewall-cmd")), "firewalld");
  assert.equal(await detectFirewallTool("linux", having("nft")), "nftables");
  assert.equal(await detectFirewallTool("linux", having()), null);
});

Deno.test("detectFirewallTool() uses netsh on Windows and socketfilterfw on macOS", async () => {
  assert.equal(await detectFirewallTool("windows", having()), "netsh");
  assert.equal(await detectFirewallTool("darwin", having()), "socketfilterfw");
});
