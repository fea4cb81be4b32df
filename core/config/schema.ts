import { z } from "zod";
import { DEFAULT_ALLOWED_CIDRS, parseCidr } from "../net/cidr.ts";
import { DEFAULT_MAX_FRAME_BYTES } from "../wire/frame.ts";

const port = z.coerce.number().int().min(1, "must be a port 1-65535").max(65535, "must be a port 1-65535");
const positiveInt = z.coerce.number().int().positive();
const cidr = z.string().refine((text) => {
  try {
    parseCidr(text);
    return true;
  } catch {
    return false;
  }
}, "must be a CIDR such as 100.64.0.0/10");
const bool = z.union([z.boolean(), z.enum(["true", "false", "1", "0", "yes", "no"])]).transform(
  (v) => v === true || v === "true" || v === "1" || v === "yes",
);
const list = <T extends z.ZodType>(item: T) =>
  z.preprocess(
    (v) => (typeof v === "string" ? v.split(",").map((s) => s.trim()).filter(Boolean) : v),
    z.array(item),
  );
const httpUrl = z.string().url().refine((u) => /^https?:\/\//.test(u), "must be an http(s) URL");
/** `HOST[:PORT]` of a static peer; IPv6 hosts in brackets. */
export const PeerAddress = z.string().regex(
  /^(\[[0-9a-fA-F:.]+\]|[^\s:\[\]]+)(:\d{1,5})?$/,
  "must be HOST or HOST:PORT",
);

/** Every setting of a node, with its default. CLI flags, NEUROMESH_* and the config file all feed this. */
export const ConfigSchema = z.object({
  name: z.string().min(1).max(64).optional(),
  dataDir: z.string().min(1).default(defaultDataDir()),
  httpHost: z.string().min(1).default("127.0.0.1"),
  httpPort: z.coerce.number().int().min(0).max(65535).default(8080),
  /** Also serve the page and API on this unix socket (reverse proxies, tests in namespaces). */
  httpSocket: z.string().min(1).optional(),
  peerHost: z.string().min(1).default("0.0.0.0"),
  peerPort: port.default(7878),
  discoveryPort: port.default(5000),
  discovery: bool.default(true),
  interface: list(z.string().min(1)).default([]),
  broadcast: list(z.string().min(1)).default([]),
  includeLoopback: bool.default(false),
  peer: list(PeerAddress).default([]),
  allowCidr: list(cidr).default([]),
  blockCidr: list(cidr).default([]),
  ollamaUrl: httpUrl.default("http://127.0.0.1:11434"),
  openaiUrl: httpUrl.optional(),
  logLevel: z.enum(["debug", "info", "warn", "error"]).default("info"),
  maxFrameBytes: positiveInt.default(DEFAULT_MAX_FRAME_BYTES),
  rateLimit: positiveInt.default(100),
  capacity: positiveInt.default(2),
  queueSize: z.coerce.number().int().min(0).default(32),
  announceIntervalMs: positiveInt.default(30_000),
  peerTimeoutMs: positiveInt.default(60_000),
  heartbeatMs: positiveInt.default(2_000),
  // 8 s of silence, checked every heartbeat: a dead peer is declared lost within 10 s.
  linkTimeoutMs: positiveInt.default(8_000),
  antiEntropyMs: positiveInt.default(30_000),
  sharing: bool.default(true),
  /** Lend this node's LLM to peers (off: it still uses the mesh). */
  serveLlm: bool.default(true),
  open: bool.default(true),
});
export type Config = z.infer<typeof ConfigSchema>;
export type ConfigInput = z.input<typeof ConfigSchema>;

export function allowedCidrs(config: Config): string[] {
  return [...DEFAULT_ALLOWED_CIDRS, ...config.allowCidr];
}

function defaultDataDir(): string {
  const env = (name: string) => {
    try {
      return Deno.env.get(name);
    } catch {
      return undefined;
    }
  };
  if (Deno.build.os === "windows") return `${env("APPDATA") ?? "."}\\NeuroMesh`;
  if (Deno.build.os === "darwin") return `${env("HOME") ?? "."}/Library/Application Support/NeuroMesh`;
  return `${env("XDG_DATA_HOME") ?? `${env("HOME") ?? "."}/.local/share`}/neuromesh`;
}
