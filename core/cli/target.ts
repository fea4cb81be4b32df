/**
 * Which node the command line talks to: `--host URL` (Ollama's `OLLAMA_HOST` style: a URL or
 * `HOST[:PORT]`), else this machine's node from `--http-host` / `--http-port` (a node bound to all
 * interfaces is reached on loopback), with the API token of `--http-token` /
 * NEUROMESH_HTTP_TOKEN when set.
 */
import type { Config } from "../config/schema.ts";

export interface NodeTarget {
  url: string;
  token?: string;
}

const WILDCARD: Record<string, string> = { "0.0.0.0": "127.0.0.1", "::": "::1", "[::]": "::1" };

function hostPart(host: string): string {
  const bare = host.replace(/^\[|\]$/g, "");
  return bare.includes(":") ? `[${bare}]` : bare;
}

/** The node's base URL from a `--host` value; throws a RangeError quoting a value it cannot read. */
export function urlFromHostFlag(value: string, defaultPort: number): string {
  const text = value.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new RangeError(`--host needs a URL or HOST[:PORT], got "${value}"`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new RangeError(`--host needs an http(s) URL, got "${value}"`);
  }
  if (!url.port && !/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) url.port = String(defaultPort);
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, "")}`;
}

/** The node of this invocation: `--host`, else this machine's configured address. */
export function nodeTarget(
  config: Pick<Config, "httpHost" | "httpPort" | "httpToken">,
  hostFlag?: string,
): NodeTarget {
  const port = config.httpPort || 8080;
  const url = hostFlag !== undefined
    ? urlFromHostFlag(hostFlag, port)
    : `http://${hostPart(WILDCARD[config.httpHost] ?? config.httpHost)}:${port}`;
  return config.httpToken ? { url, token: config.httpToken } : { url };
}
