/**
 * Capability gates for tests that need root, network namespaces or a browser.
 * Outside CI a missing capability skips the test with a reason; under CI=true it is a failure,
 * because a suite that silently skips what it cannot run is not a passing suite.
 */
export const IN_CI = Deno.env.get("CI") === "true";

export function netnsUnavailableReason(): string | null {
  if (Deno.build.os !== "linux") return "network namespaces need Linux";
  try {
    const probe = new Deno.Command("ip", { args: ["netns", "list"], stdout: "null", stderr: "null" })
      .outputSync();
    if (!probe.success) return "`ip netns` failed (iproute2 missing or not root)";
  } catch {
    return "`ip` not found (install iproute2)";
  }
  if (Deno.uid?.() !== 0) return "network namespaces need root";
  return null;
}

export function browserUnavailableReason(path = "/usr/bin/chromium"): string | null {
  try {
    Deno.statSync(path);
    return null;
  } catch {
    return `${path} not found (apt-get install -y chromium)`;
  }
}

/**
 * Options for Deno.test: ignored with a printed reason when unavailable locally; under CI the
 * test runs and fails at once with the reason.
 */
export function requires(reason: string | null): { ignore: boolean } {
  if (reason && !IN_CI) console.error(`skipping: ${reason}`);
  return { ignore: reason !== null && !IN_CI };
}

export function assertCapability(reason: string | null): void {
  if (reason) throw new Error(`required capability missing under CI=true: ${reason}`);
}
