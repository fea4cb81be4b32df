import type { Logger } from "../log/logger.ts";
import type { CidrSet } from "../net/cidr.ts";
import type { Hello } from "../wire/messages/link.ts";
import type { BackoffOptions } from "./backoff.ts";
import type { Clock } from "../time/clock.ts";
import type { Link } from "./link.ts";
import type { LinkAuthenticator } from "./link_options.ts";
import type { Transport } from "./transport.ts";

/** What a LinkManager (manager.ts) is built from. */
export interface LinkManagerOptions {
  /** `publicKey` (raw Ed25519, base64) goes into our HELO for the peer to check the id against. */
  identity: { nodeId: string; name: string; publicKey?: string };
  appVersion: string;
  /** Where to listen for peers; port 0 picks a free one (see `peerPort` after start). */
  peerHost: string;
  peerPort: number;
  /** Our HTTP port, told to peers in HELO. */
  httpPort: number;
  hasLlm?: boolean;
  /** Source addresses accepted; a connection from elsewhere is closed before reading. */
  allowed: CidrSet;
  /** Source addresses refused even when allowed. */
  blocked?: CidrSet;
  /** @default {PROTOCOL_VERSION} (tests override it) */
  protocolVersion?: number;
  /** @default {DEFAULT_MAX_FRAME_BYTES} */
  maxFrameBytes?: number;
  /** @default {2_000} */
  heartbeatMs?: number;
  /** @default {10_000} */
  linkTimeoutMs?: number;
  /** @default {5_000} */
  handshakeTimeoutMs?: number;
  /** @default {10_000} */
  partialFrameTimeoutMs?: number;
  /**
   * Of two nodes that find each other, the higher id waits this long for the lower one's dial
   * before dialing itself (one handshake per pair). @default {3_000}
   */
  dialDeferMs?: number;
  /** Outbound dials in flight at once; the others wait their turn. @default {4} */
  maxConcurrentDials?: number;
  /** TCP connect must finish within this. @default {3_000} */
  connectTimeoutMs?: number;
  /** Live connections (any state) from one remote address. @default {8} */
  maxLinksPerAddress?: number;
  /** Inbound connections still in their handshake, all addresses together. @default {16} */
  maxPendingHandshakes?: number;
  /** Redial delays. @default {{ baseMs: 250, capMs: 10_000 }} */
  backoff?: BackoffOptions;
  /** A link up this long resets its target's backoff. @default {10_000} */
  stableLinkMs?: number;
  /** Authentication hook passed to every link (see Link's `verifyHello`). */
  verifyHello?: (remote: Hello, link: Link) => Promise<string | null> | string | null;
  /** Identity proofs and trust policy, passed to every link (core/security/link_guard.ts). */
  authenticator?: LinkAuthenticator;
  /** @default {new TcpTransport()} */
  transport?: Transport;
  logger: Logger;
  clock?: Clock;
}
