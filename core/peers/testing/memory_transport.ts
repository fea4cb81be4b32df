import type { Connection, Listener, Transport } from "../transport.ts";

/** One direction of an in-memory pipe: chunks queue until read; writes wait above the high water. */
class Pipe {
  #chunks: Uint8Array[] = [];
  #buffered = 0;
  #ended = false;
  #reader: ((chunk: Uint8Array | null) => void) | null = null;
  #drained: (() => void)[] = [];

  constructor(readonly highWaterBytes: number) {}

  get bufferedBytes(): number {
    return this.#buffered;
  }

  push(bytes: Uint8Array): Promise<void> {
    if (this.#ended) return Promise.reject(new Error("memory pipe: write after close"));
    if (bytes.length === 0) return Promise.resolve();
    const copy = bytes.slice();
    if (this.#reader) {
      const reader = this.#reader;
      this.#reader = null;
      reader(copy);
      return Promise.resolve();
    }
    this.#chunks.push(copy);
    this.#buffered += copy.length;
    if (this.#buffered <= this.highWaterBytes) return Promise.resolve();
    return new Promise((resolve) => this.#drained.push(resolve));
  }

  pull(): Promise<Uint8Array | null> {
    const chunk = this.#chunks.shift();
    if (chunk) {
      this.#buffered -= chunk.length;
      if (this.#buffered <= this.highWaterBytes) this.#releaseWriters();
      return Promise.resolve(chunk);
    }
    if (this.#ended) return Promise.resolve(null);
    return new Promise((resolve) => this.#reader = resolve);
  }

  /** No more writes; the reader gets what is queued, then null. Blocked writers are released. */
  end(): void {
    this.#ended = true;
    this.#releaseWriters();
    if (this.#reader && this.#chunks.length === 0) {
      const reader = this.#reader;
      this.#reader = null;
      reader(null);
    }
  }

  /** Drops queued bytes too (the reading side closed). */
  destroy(): void {
    this.#chunks = [];
    this.#buffered = 0;
    this.end();
  }

  #releaseWriters() {
    for (const resolve of this.#drained.splice(0)) resolve();
  }
}

/** One end of an in-memory duplex connection. */
export class MemoryConnection implements Connection {
  #closed = false;
  peer!: MemoryConnection;

  constructor(
    readonly remoteAddress: string,
    readonly remotePort: number,
    private readonly incoming: Pipe,
    private readonly outgoing: Pipe,
  ) {}

  get closed(): boolean {
    return this.#closed;
  }
  /** Bytes this end wrote that the other end has not read yet. */
  get unreadBytes(): number {
    return this.outgoing.bufferedBytes;
  }

  read(): Promise<Uint8Array | null> {
    if (this.#closed) return Promise.resolve(null);
    return this.incoming.pull();
  }
  write(bytes: Uint8Array): Promise<void> {
    if (this.#closed) return Promise.reject(new Error("memory connection: write after close"));
    return this.outgoing.push(bytes);
  }
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.outgoing.end();
    this.incoming.destroy();
  }
}

export interface MemoryPairOptions {
  /** Unread bytes one direction may hold before writes wait. @default {1 MiB} */
  highWaterBytes?: number;
  /** Addresses each end reports for the other. */
  aAddress?: string;
  bAddress?: string;
}

/** Two connected ends, `a` and `b`: what one writes, the other reads. */
export function memoryConnectionPair(
  options: MemoryPairOptions = {},
): [MemoryConnection, MemoryConnection] {
  const { highWaterBytes = 1024 * 1024, aAddress = "127.0.0.1", bAddress = "127.0.0.1" } = options;
  const aToB = new Pipe(highWaterBytes);
  const bToA = new Pipe(highWaterBytes);
  const a = new MemoryConnection(bAddress, 40_000, bToA, aToB);
  const b = new MemoryConnection(aAddress, 40_001, aToB, bToA);
  a.peer = b;
  b.peer = a;
  return [a, b];
}

/**
 * A Transport whose listeners and dials stay in memory; `address` is what peers see as this
 * side's remote address. Several MemoryTransports share one `MemoryNetwork`.
 */
export class MemoryNetwork {
  #listeners = new Map<string, (connection: Connection) => void>();
  #nextPort = 30_000;

  transport(address = "127.0.0.1"): Transport {
    return {
      listen: (hostname, port, onConnection) => {
        const bound = port === 0 ? this.#nextPort++ : port;
        const key = `${address}:${bound}`;
        if (this.#listeners.has(key)) {
          return Promise.reject(new Deno.errors.AddrInUse(`memory network: ${key} in use`));
        }
        this.#listeners.set(key, onConnection);
        const listener: Listener = {
          hostname,
          port: bound,
          close: () => {
            if (this.#listeners.get(key) === onConnection) this.#listeners.delete(key);
          },
        };
        return Promise.resolve(listener);
      },
      dial: (hostname, port, signal) => {
        signal?.throwIfAborted();
        const accept = this.#listeners.get(`${hostname}:${port}`);
        if (!accept) {
          return Promise.reject(
            new Deno.errors.ConnectionRefused(
              `memory network: nothing listens on ${hostname}:${port}`,
            ),
          );
        }
        const [local, remote] = memoryConnectionPair({ aAddress: address, bAddress: hostname });
        accept(remote);
        return Promise.resolve(local);
      },
    };
  }
}
