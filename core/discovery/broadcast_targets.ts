import { parseIp } from "../net/cidr.ts";

/** The part of `Deno.NetworkInterfaceInfo` this needs, so tests can pass plain objects. */
export interface InterfaceAddress {
  name: string;
  family: "IPv4" | "IPv6";
  address: string;
  netmask: string;
}

export interface BroadcastTargetOptions {
  /** Interface names to announce on; empty means all. */
  interfaces?: readonly string[];
  /** Announce on loopback too (127.0.0.0/8): off by default, handy for one-machine tests. */
  includeLoopback?: boolean;
  /** `--broadcast` addresses: when given, exactly these are used and interfaces are ignored. */
  explicit?: readonly string[];
}

function ipv4Bits(text: string): number | null {
  const parsed = parseIp(text);
  return parsed?.family === 4 ? Number(parsed.bits) : null;
}

function formatIpv4(bits: number): string {
  return [bits >>> 24, (bits >>> 16) & 255, (bits >>> 8) & 255, bits & 255].join(".");
}

/**
 * The directed broadcast address of `address`/`netmask`, or null where there is none: a /31 or
 * /32 (point-to-point links, VPN tunnels) has no broadcast address to announce on.
 */
export function ipv4Broadcast(address: string, netmask: string): string | null {
  const ip = ipv4Bits(address);
  const mask = ipv4Bits(netmask);
  if (ip === null || mask === null) return null;
  const host = ~mask >>> 0;
  if (host < 3) return null;
  return formatIpv4((ip | host) >>> 0);
}

/**
 * Where to send announcements: each selected IPv4 interface's broadcast address, deduplicated,
 * in interface order. Pure: pass `Deno.networkInterfaces()` in.
 */
export function broadcastTargets(
  interfaces: readonly InterfaceAddress[],
  options: BroadcastTargetOptions = {},
): string[] {
  if (options.explicit && options.explicit.length > 0) {
    for (const address of options.explicit) {
      if (ipv4Bits(address) === null) {
        throw new RangeError(`Invalid broadcast address "${address}": must be an IPv4 address`);
      }
    }
    return [...new Set(options.explicit)];
  }
  const names = options.interfaces?.length ? new Set(options.interfaces) : null;
  const targets = new Set<string>();
  for (const entry of interfaces) {
    if (entry.family !== "IPv4") continue;
    if (names && !names.has(entry.name)) continue;
    const ip = ipv4Bits(entry.address);
    if (ip === null) continue;
    if (ip >>> 24 === 127 && !options.includeLoopback) continue;
    const broadcast = ipv4Broadcast(entry.address, entry.netmask);
    if (broadcast) targets.add(broadcast);
  }
  return [...targets];
}
