/**
 * A namespace's network counters from /proc/net/snmp (what its nodes sent, dialed and failed
 * to send), to show discovery traffic, duplicate dials and neighbour-table trouble. The parser
 * is pure; `readNamespaceCounters` reads the file inside a namespace.
 */
import { ip } from "../e2e/lab.ts";

/** `Proto: Name…` header line followed by `Proto: value…` line, e.g. Udp → OutDatagrams → 12. */
export type SnmpTable = Record<string, Record<string, number>>;

export function parseSnmp(text: string): SnmpTable {
  const table: SnmpTable = {};
  const lines = text.split("\n").filter((line) => line.includes(":"));
  for (let i = 0; i + 1 < lines.length; i += 2) {
    const [proto, names] = lines[i].split(":");
    const [sameProto, values] = lines[i + 1].split(":");
    if (proto !== sameProto) throw new Error(`/proc/net/snmp: "${proto}" header without values`);
    const keys = names.trim().split(/\s+/);
    const numbers = values.trim().split(/\s+/).map(Number);
    table[proto] = Object.fromEntries(keys.map((key, k) => [key, numbers[k]]));
  }
  return table;
}

/** The counters the scale bench reports. */
export interface NetCounters {
  udpOut: number;
  udpSndbufErrors: number;
  tcpActiveOpens: number;
  tcpAttemptFails: number;
}

export function netCounters(table: SnmpTable): NetCounters {
  const get = (proto: string, key: string) => {
    const value = table[proto]?.[key];
    if (value === undefined || !Number.isFinite(value)) {
      throw new Error(`/proc/net/snmp has no ${proto} ${key}`);
    }
    return value;
  };
  return {
    udpOut: get("Udp", "OutDatagrams"),
    udpSndbufErrors: get("Udp", "SndbufErrors"),
    tcpActiveOpens: get("Tcp", "ActiveOpens"),
    tcpAttemptFails: get("Tcp", "AttemptFails"),
  };
}

/** What happened between two readings of the same namespace. */
export function counterDelta(before: NetCounters, after: NetCounters): NetCounters {
  return {
    udpOut: after.udpOut - before.udpOut,
    udpSndbufErrors: after.udpSndbufErrors - before.udpSndbufErrors,
    tcpActiveOpens: after.tcpActiveOpens - before.tcpActiveOpens,
    tcpAttemptFails: after.tcpAttemptFails - before.tcpAttemptFails,
  };
}

export async function readNamespaceCounters(ns: string): Promise<NetCounters> {
  return netCounters(parseSnmp(await ip("netns", "exec", ns, "cat", "/proc/net/snmp")));
}
