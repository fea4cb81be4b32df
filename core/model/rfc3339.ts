/**
 * RFC 3339 timestamps as the original NeuroMesh (Rust, chrono) writes them:
 * `2025-03-25T13:56:00.304707400Z`, up to nine fractional digits. Timestamps are kept as the
 * text they arrived in, so an export writes back exactly what was imported.
 */
export const RFC3339_PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:\d{2})$/;

/** Milliseconds since the epoch, or NaN when `text` is not an RFC 3339 timestamp. */
export function rfc3339ToMs(text: string): number {
  const match = RFC3339_PATTERN.exec(text);
  if (!match) return NaN;
  const [, y, mo, d, h, mi, s, fraction = "", zone] = match;
  const ms = Number(fraction.padEnd(3, "0").slice(0, 3));
  const base = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
  if (Number(mo) < 1 || Number(mo) > 12 || Number(d) < 1 || Number(d) > 31) return NaN;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 60) return NaN;
  if (zone === "Z" || zone === "z") return base;
  const sign = zone[0] === "-" ? -1 : 1;
  const offsetMin = Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6));
  return base - sign * offsetMin * 60_000;
}

export function isRfc3339(text: string): boolean {
  return !Number.isNaN(rfc3339ToMs(text));
}

/** Nanoseconds within the second (0-999,999,999), read from the fraction digits. */
export function rfc3339Nanos(text: string): number {
  const match = RFC3339_PATTERN.exec(text);
  if (!match) throw new RangeError(`not an RFC 3339 timestamp: ${JSON.stringify(text)}`);
  return Number((match[7] ?? "").padEnd(9, "0"));
}

/** ISO text of an epoch-ms time, in UTC with millisecond precision. */
export function msToRfc3339(ms: number): string {
  return new Date(ms).toISOString();
}
