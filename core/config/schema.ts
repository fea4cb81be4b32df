import { z } from "zod";
import { CidrText } from "../net/cidr_schema.ts";
import { DEFAULT_ALLOWED_CIDRS } from "../net/cidr.ts";
import { TRUST_MODES } from "../security/trust_policy.ts";
import { DEFAULT_MAX_FRAME_BYTES } from "../wire/frame.ts";
import {
  DEFAULT_HEADERS_TIMEOUT_MS,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_MAX_CHAT_BODY_BYTES,
} from "../http/limits.ts";
import { OriginPatternText } from "../net/origin.ts";
import { LOG_FORMATS } from "../log/logger.ts";

const port = z.coerce.number().int().min(1, "must be a port 1-65535").max(
  65535,
  "must be a port 1-65535",
);
const positiveInt = z.coerce.number().int().positive();
const cidr = CidrText;
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

/** A node id as shown by /api/status (base32 of the key's hash). */
const nodeId = z.string().regex(/^[A-Z2-7]{32}$/, "must be a 32-character node id (A-Z, 2-7)");

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
  /** `text` lines for people, or `json`: one JSON object a line for log collectors. */
  logFormat: z.enum(LOG_FORMATS).default("text"),
  maxFrameBytes: positiveInt.default(DEFAULT_MAX_FRAME_BYTES),
  rateLimit: positiveInt.default(100),
  capacity: positiveInt.default(2),
  queueSize: z.coerce.number().int().min(0).default(32),
  announceIntervalMs: positiveInt.default(30_000),
  peerTimeoutMs: positiveInt.default(60_000),
  // Quiet after which the dialer of a link pings (any frame received proves life, so a busy
  // link sends none); 4 s halves an idle mesh's heartbeat traffic against 2 s.
  heartbeatMs: positiveInt.default(4_000),
  // 8 s of silence: a dead peer is declared lost within 10 s (the sweep adds at most 0.25 s).
  linkTimeoutMs: positiveInt.default(8_000),
  antiEntropyMs: positiveInt.default(30_000),
  /** Longest wait between redials of a lost peer (exponential backoff with jitter up to this). */
  redialCapMs: positiveInt.default(3_000),
  sharing: bool.default(true),
  /** Lend this node's LLM to peers (off: it still uses the mesh). */
  serveLlm: bool.default(true),
  open: bool.default(true),
  /** Who may link: open (trust on first use), mesh-key (shared passphrase) or approve (ask the user). */
  trustMode: z.enum(TRUST_MODES).default("open"),
  /** The mesh passphrase (required in mesh-key mode); prefer NEUROMESH_MESH_KEY or the config file. */
  meshKey: z.string().min(8, "must be at least 8 characters").max(1024).optional(),
  /** Node ids let in without a question (approve mode) or without the mesh key. */
  allowNodeId: list(nodeId).default([]),
  /** Node ids refused in every mode. */
  blockNodeId: list(nodeId).default([]),
  /** Peer links over plain TCP, unencrypted: for tests and benchmarks only. */
  insecurePlaintextLinks: bool.default(false),
  /** API token for clients not on loopback (default: generated once, kept hashed in the data dir). */
  httpToken: z.string().min(16, "must be at least 16 characters").max(256).optional(),
  /** Web pages besides the node's own that may use the API from a browser (`*`: any). */
  allowOrigin: list(OriginPatternText).default([]),
  /** Largest request body, except chat requests. */
  maxBodyBytes: positiveInt.default(DEFAULT_MAX_BODY_BYTES),
  /** Largest chat request body (LLM APIs, conversation questions): images travel as base64. */
  maxChatBodyBytes: positiveInt.default(DEFAULT_MAX_CHAT_BODY_BYTES),
  /** An HTTP connection whose request head is not complete after this long is closed. */
  headerTimeoutMs: positiveInt.default(DEFAULT_HEADERS_TIMEOUT_MS),
}).superRefine((config, ctx) => {
  if (config.trustMode === "mesh-key" && !config.meshKey) {
    ctx.addIssue({
      code: "custom",
      path: ["meshKey"],
      message: "is required with --trust-mode mesh-key (or set NEUROMESH_MESH_KEY)",
    });
  }
});
export type Config = z.infer<typeof ConfigSchema>;
export type ConfigInput = z.input<typeof ConfigSchema>;

export function allowedCidrs(config: Pick<Config, "allowCidr">): string[] {
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
  if (Deno.build.os === "darwin") {
    return `${env("HOME") ?? "."}/Library/Application Support/NeuroMesh`;
  }
  return `${env("XDG_DATA_HOME") ?? `${env("HOME") ?? "."}/.local/share`}/neuromesh`;
}
