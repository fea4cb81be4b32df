import { isLoopbackHost } from "./loopback.ts";

/** The part of `Deno.networkInterfaces()` entries used here. */
export interface InterfaceAddress {
  family: "IPv4" | "IPv6";
  address: string;
}

const WILDCARD = new Set(["0.0.0.0", "::", "[::]"]);
const PRIVATE_V4 = /^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.)/;

/** True when the page and API listen beyond this machine (`--http-host` is not loopback). */
export function listensBeyondLoopback(httpHost: string): boolean {
  return !isLoopbackHost(httpHost);
}

/**
 * The addresses other devices can open the page at: for a wildcard host, every IPv4 address of
 * this machine's interfaces but loopback (home networks first); for a named host, that host.
 * Empty when the node listens on loopback only. Pure: pass `Deno.networkInterfaces()` in.
 */
export function pageAddresses(
  httpHost: string,
  port: number,
  interfaces: readonly InterfaceAddress[],
): string[] {
  if (!listensBeyondLoopback(httpHost)) return [];
  if (!WILDCARD.has(httpHost)) {
    const host = httpHost.includes(":") && !httpHost.startsWith("[") ? `[${httpHost}]` : httpHost;
    return [`http://${host}:${port}`];
  }
  const v4 = interfaces
    .filter((i) =>
      i.family === "IPv4" && !i.address.startsWith("127.") && !i.address.startsWith("169.254.")
    )
    .map((i) => i.address);
  const unique = [...new Set(v4)];
  unique.sort((a, b) => Number(PRIVATE_V4.test(b)) - Number(PRIVATE_V4.test(a)));
  return unique.map((address) => `http://${address}:${port}`);
}
