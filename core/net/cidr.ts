/** IPv4/IPv6 CIDR matching, used to accept only peers from private networks. */

export interface Cidr {
  text: string;
  family: 4 | 6;
  bits: bigint;
  prefix: number;
}

function ipv4ToBigInt(ip: string): bigint | null {
  const parts = ip.split(".");
  if (parts.length !== 4) return null;
  let value = 0n;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return null;
    const n = Number(part);
    if (n > 255) return null;
    value = (value << 8n) | BigInt(n);
  }
  return value;
}

function ipv6ToBigInt(ip: string): bigint | null {
  const zoneless = ip.split("%")[0];
  if (!zoneless.includes(":")) return null;
  let head = zoneless;
  let tail4: bigint | null = null;
  const lastColon = zoneless.lastIndexOf(":");
  if (zoneless.slice(lastColon + 1).includes(".")) {
    tail4 = ipv4ToBigInt(zoneless.slice(lastColon + 1));
    if (tail4 === null) return null;
    head = zoneless.slice(0, lastColon) + ":0:0";
  }
  const halves = head.split("::");
  if (halves.length > 2) return null;
  const left = halves[0] ? halves[0].split(":") : [];
  const right = halves.length === 2 && halves[1] ? halves[1].split(":") : [];
  const missing = 8 - left.length - right.length;
  if (halves.length === 1 ? missing !== 0 : missing < 0) return null;
  const groups = [...left, ...Array(halves.length === 2 ? missing : 0).fill("0"), ...right];
  let value = 0n;
  for (const group of groups) {
    if (!/^[0-9a-f]{1,4}$/i.test(group)) return null;
    value = (value << 16n) | BigInt(parseInt(group, 16));
  }
  if (tail4 !== null) value = (value & ~0xffffffffn) | tail4;
  return value;
}

/** Parses an IP address; IPv4-mapped IPv6 (`::ffff:10.0.0.1`) is treated as IPv4. */
export function parseIp(ip: string): { family: 4 | 6; bits: bigint } | null {
  const v4 = ipv4ToBigInt(ip);
  if (v4 !== null) return { family: 4, bits: v4 };
  const v6 = ipv6ToBigInt(ip);
  if (v6 === null) return null;
  if (v6 >> 32n === 0xffffn) return { family: 4, bits: v6 & 0xffffffffn };
  return { family: 6, bits: v6 };
}

export function parseCidr(text: string): Cidr {
  const [ip, prefixText] = text.split("/");
  const parsed = parseIp(ip);
  if (!parsed) throw new RangeError(`Invalid CIDR "${text}": "${ip}" is not an IP address`);
  const width = parsed.family === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? width : Number(prefixText);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > width) {
    throw new RangeError(`Invalid CIDR "${text}": prefix must be 0..${width}`);
  }
  const shift = BigInt(width - prefix);
  return { text, family: parsed.family, bits: (parsed.bits >> shift) << shift, prefix };
}

export function cidrContains(cidr: Cidr, ip: string): boolean {
  const parsed = parseIp(ip);
  if (!parsed || parsed.family !== cidr.family) return false;
  const shift = BigInt((cidr.family === 4 ? 32 : 128) - cidr.prefix);
  return (parsed.bits >> shift) << shift === cidr.bits;
}

/** Private, link-local and loopback ranges accepted by default. */
export const DEFAULT_ALLOWED_CIDRS = [
  "10.0.0.0/8",
  "172.16.0.0/12",
  "192.168.0.0/16",
  "169.254.0.0/16",
  "127.0.0.0/8",
  "::1/128",
  "fc00::/7",
  "fe80::/10",
];

/** Compiled allow list: `matches(ip)` is true when any range holds the address. */
export class CidrSet {
  readonly #cidrs: Cidr[];
  constructor(texts: readonly string[]) {
    this.#cidrs = texts.map(parseCidr);
  }
  matches(ip: string): boolean {
    return this.#cidrs.some((cidr) => cidrContains(cidr, ip));
  }
  get texts(): string[] {
    return this.#cidrs.map((c) => c.text);
  }
}
