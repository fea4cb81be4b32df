/**
 * The byte streams the link engine runs on: TLS (core/security/tls_transport.ts) by default,
 * plain TCP (tcp_transport.ts) only when asked for, in memory for tests. The protocol layer is
 * the same on all of them.
 */
export interface Connection {
  /** Remote IP address (no brackets, no port). */
  readonly remoteAddress: string;
  readonly remotePort: number;
  /**
   * The node id whose key the transport saw the peer hold (a dial pinned to that node's
   * certificate); undefined when the transport proved nothing (accepted or plain connections).
   */
  readonly verifiedNodeId?: string;
  /** True when the bytes are encrypted on the wire. */
  readonly encrypted?: boolean;
  /**
   * Resolves to the next bytes received, owned by the caller (never reused by the transport),
   * or null at end of stream. Rejects when the connection fails or is closed locally.
   */
  read(): Promise<Uint8Array | null>;
  /** Writes all of `bytes`; rejects when the connection is broken. One write at a time. */
  write(bytes: Uint8Array): Promise<void>;
  /** Closes at once; idempotent. A pending read then resolves null or rejects. */
  close(): void;
}

export interface Listener {
  readonly hostname: string;
  /** The port actually bound (useful after listening on port 0). */
  readonly port: number;
  /** Stops accepting; connections already handed out stay open. Idempotent. */
  close(): void;
}

export interface Transport {
  /** Accepts connections until the listener is closed, handing each to `onConnection`. */
  listen(
    hostname: string,
    port: number,
    onConnection: (connection: Connection) => void,
  ): Promise<Listener>;
  /**
   * Opens a connection; rejects on failure or when `signal` aborts first. With
   * `expectedNodeId`, an authenticating transport refuses any other node there.
   */
  dial(
    hostname: string,
    port: number,
    signal?: AbortSignal,
    options?: DialOptions,
  ): Promise<Connection>;
}

export interface DialOptions {
  /** The node discovery says is at this address. */
  expectedNodeId?: string;
  /**
   * Called once the TCP connection is open, before the transport's own handshake (TLS): the
   * dialer's connect timeout ends there and its handshake timeout starts. A transport without a
   * handshake of its own need not call it.
   */
  onConnected?: () => void;
}
