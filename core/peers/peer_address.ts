/** Default TCP port of peer links. */
export const DEFAULT_PEER_PORT = 7878;

/**
 * Splits a static peer `HOST[:PORT]` (IPv6 in brackets: `[fe80::1]:7878`) into host and port.
 * The host comes back without brackets.
 */
export function parsePeerAddress(
  text: string,
  defaultPort = DEFAULT_PEER_PORT,
): { host: string; port: number } {
  const match = /^(?:\[([0-9a-fA-F:.%\w]+)\]|([^\s:\[\]]+))(?::(\d{1,5}))?$/.exec(text.trim());
  if (!match) throw new RangeError(`Invalid peer address "${text}": expected HOST or HOST:PORT`);
  const port = match[3] === undefined ? defaultPort : Number(match[3]);
  if (port < 1 || port > 65535) {
    throw new RangeError(`Invalid peer address "${text}": port must be 1-65535`);
  }
  return { host: match[1] ?? match[2], port };
}
