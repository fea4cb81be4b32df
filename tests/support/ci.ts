/**
 * Capability gates for tests that need root, network namespaces, a browser or another system
 * tool. Outside CI a missing capability skips the test with a reason; under CI=true it is a
 * failure, because a suite that silently skips what it cannot run is not a passing suite.
 * `deno task test` first runs tests/support/system_needs.ts, which installs the tools as root or
 * prints the command to install them.
 */
import { findTool, SYSTEM_NEEDS } from "./system_needs.ts";

export const IN_CI = Deno.env.get("CI") === "true";

/** Why the system tool `tool` (one of SYSTEM_NEEDS) cannot run here, or null when it can. */
export function toolUnavailableReason(tool: string): string | null {
  const need = SYSTEM_NEEDS.find((n) => n.tool === tool);
  if (!need) throw new Error(`${tool} is not in SYSTEM_NEEDS (tests/support/system_needs.ts)`);
  if (findTool(need.tool, need.path)) return null;
  return `${need.path ?? `\`${tool}\``} not found (apt-get install -y ${need.pkg})`;
}

export function netnsUnavailableReason(): string | null {
  if (Deno.build.os !== "linux") return "network namespaces need Linux";
  if (Deno.uid?.() !== 0) return "network namespaces need root";
  const missing = toolUnavailableReason("ip");
  if (missing) return missing;
  const probe = new Deno.Command("ip", { args: ["netns", "list"], stdout: "null", stderr: "null" })
    .outputSync();
  if (!probe.success) return "`ip netns list` failed (no network-namespace support here)";
  return null;
}

export function browserUnavailableReason(): string | null {
  return toolUnavailableReason("chromium");
}

export function tcpdumpUnavailableReason(): string | null {
  return toolUnavailableReason("tcpdump");
}

export function curlUnavailableReason(): string | null {
  return toolUnavailableReason("curl");
}

/**
 * Options for Deno.test: ignored with a printed reason when unavailable locally; under CI the
 * test runs, and should call assertCapability first to fail at once with the reason.
 */
export function requires(reason: string | null): { ignore: boolean } {
  if (reason && !IN_CI) console.error(`skipping: ${reason}`);
  return { ignore: reason !== null && !IN_CI };
}

export function assertCapability(reason: string | null): void {
  if (reason) throw new Error(`required capability missing under CI=true: ${reason}`);
}
