/**
 * Topology helpers for the conversation sync tests: cut unicast between hosts with blackhole
 * routes, and wait for an exact set of links.
 */
import { ip, type LabHost, waitFor } from "./lab.ts";

/**
 * Blocks (or unblocks) unicast between two hosts, both ways, with blackhole routes. Subnet
 * broadcasts still pass, so the two keep hearing each other's announcements without being
 * able to link: the case of a flaky LAN or a client-isolating Wi-Fi.
 */
export async function setCut(a: LabHost, b: LabHost, cut: boolean): Promise<void> {
  const verb = cut ? "add" : "del";
  await ip("-n", a.ns, "route", verb, "blackhole", `${b.address}/32`);
  await ip("-n", b.ns, "route", verb, "blackhole", `${a.address}/32`);
}

/** Cuts (or heals) every pair across two groups of hosts. */
export async function setPartition(left: LabHost[], right: LabHost[], cut: boolean) {
  for (const a of left) {
    for (const b of right) await setCut(a, b, cut);
  }
}

/** Node id of each host's running node. */
export async function nodeIds(hosts: LabHost[]): Promise<Map<LabHost, string>> {
  const ids = await Promise.all(hosts.map(async (h) => (await h.node.status()).node.id));
  return new Map(hosts.map((h, k) => [h, ids[k]]));
}

/**
 * Waits until each host has exactly the `up` links `expected` gives it (by host), and
 * returns the elapsed ms.
 */
export async function waitForLinks(
  what: string,
  expected: Map<LabHost, LabHost[]>,
  timeoutMs: number,
): Promise<number> {
  const ids = await nodeIds([...new Set([...expected.keys(), ...[...expected.values()].flat()])]);
  return await waitFor(
    what,
    async () => {
      for (const [host, peers] of expected) {
        const up = (await host.node.status()).peers.filter((p) => p.state === "up").map((p) =>
          p.id
        );
        const want = peers.map((p) => ids.get(p)!);
        if (up.length !== want.length || !want.every((id) => up.includes(id))) return false;
      }
      return true;
    },
    timeoutMs,
    50,
  );
}

/** Every host linked to every other one. */
export function fullMeshOf(hosts: LabHost[]): Map<LabHost, LabHost[]> {
  return new Map(hosts.map((h) => [h, hosts.filter((other) => other !== h)]));
}
