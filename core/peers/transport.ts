/**
 * The byte streams the link engine runs on. Plain TCP implements it today; an encrypted
 * transport (TLS) can replace it later without touching the protocol layer.
 */
export interface Connection {
  /** Remote IP address (no brackets, no port). */
  readonly remoteAddress: string;
  readonly remotePort: number;
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
  /** Opens a connection; rejects on failure or when `signal` aborts first. */
  dial(hostname: string, port: number, signal?: AbortSignal): Promise<Connection>;
}
