import type { Connection, Listener, Transport } from "./transport.ts";

/** An idle connection's pending read holds this much. */
export const MIN_READ_BYTES = 4 * 1024;
/** A busy one reads up to this much at once. */
export const MAX_READ_BYTES = 256 * 1024;

/**
 * The size of the next read, sized to traffic: doubled after a read that filled the buffer,
 * halved after one that used less than a quarter of it.
 */
export function nextReadBytes(current: number, received: number): number {
  if (received >= current) return Math.min(MAX_READ_BYTES, current * 2);
  if (received < current / 4) return Math.max(MIN_READ_BYTES, current / 2);
  return current;
}

/**
 * A Deno TCP (or TLS-over-TCP) connection as the link engine needs it (TCP_NODELAY on: frames
 * are batched by us).
 */
export class TcpConnection implements Connection {
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly verifiedNodeId?: string;
  readonly encrypted: boolean;
  #readBytes = MIN_READ_BYTES;
  #closed = false;

  constructor(
    private readonly conn: Deno.TcpConn | Deno.TlsConn,
    secured?: { verifiedNodeId: string },
  ) {
    if ("setNoDelay" in conn) conn.setNoDelay(true);
    this.verifiedNodeId = secured?.verifiedNodeId;
    this.encrypted = secured !== undefined;
    const remote = conn.remoteAddr as Deno.NetAddr;
    this.remoteAddress = remote.hostname;
    this.remotePort = remote.port;
  }

  async read(): Promise<Uint8Array | null> {
    if (this.#closed) return null;
    // A fresh buffer per read, handed over uncopied: the decoder may keep views of it.
    const buffer = new Uint8Array(this.#readBytes);
    const n = await this.conn.read(buffer);
    if (n === null) return null;
    this.#readBytes = nextReadBytes(this.#readBytes, n);
    return buffer.subarray(0, n);
  }

  write(bytes: Uint8Array): Promise<void> {
    return writeAll(this.conn, bytes);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.conn.close();
    } catch {
      // Already closed by the runtime after an error: nothing left to release.
    }
  }
}

/** Writes all of `bytes` to `conn`. */
export async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let written = 0;
  while (written < bytes.length) written += await conn.write(bytes.subarray(written));
}

/** Deno.listen's accept loop as a Listener; the caller makes a Connection of each socket. */
export class TcpListener implements Listener {
  readonly hostname: string;
  readonly port: number;
  #closed = false;

  constructor(private readonly listener: Deno.TcpListener) {
    this.hostname = listener.addr.hostname;
    this.port = listener.addr.port;
  }

  async acceptLoop(onAccept: (conn: Deno.TcpConn) => void): Promise<void> {
    while (!this.#closed) {
      let conn: Deno.TcpConn;
      try {
        conn = await this.listener.accept();
      } catch (error) {
        if (this.#closed || error instanceof Deno.errors.BadResource) return;
        // Transient accept failures (e.g. too many open files): keep serving.
        continue;
      }
      onAccept(conn);
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.listener.close();
    } catch {
      // Already closed.
    }
  }
}

/** Plain TCP via Deno.listen / Deno.connect. */
export class TcpTransport implements Transport {
  listen(
    hostname: string,
    port: number,
    onConnection: (connection: Connection) => void,
  ): Promise<Listener> {
    const listener = new TcpListener(Deno.listen({ hostname, port, transport: "tcp" }));
    listener.acceptLoop((conn) => onConnection(new TcpConnection(conn)));
    return Promise.resolve(listener);
  }

  async dial(hostname: string, port: number, signal?: AbortSignal): Promise<Connection> {
    signal?.throwIfAborted();
    const conn = await Deno.connect({ hostname: unbracket(hostname), port, signal });
    if (signal?.aborted) {
      conn.close();
      signal.throwIfAborted();
    }
    return new TcpConnection(conn);
  }
}

/** `[::1]` → `::1`: Deno.connect wants IPv6 literals bare. */
export function unbracket(hostname: string): string {
  return hostname.startsWith("[") && hostname.endsWith("]") ? hostname.slice(1, -1) : hostname;
}
