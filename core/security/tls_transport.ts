import process from "node:process";
import tls from "node:tls";
import {
  certLengthFromHeader,
  encodeCertPreamble,
  PREAMBLE_HEADER_BYTES,
} from "./cert_preamble.ts";
import { type NodeCertificate, pem, tlsServerName } from "./certificate.ts";
import { ConnDuplex } from "./conn_duplex.ts";
import { PeerCertificates } from "./peer_certificate.ts";
import { TcpConnection, TcpListener, unbracket, writeAll } from "../peers/tcp_transport.ts";
import type { Connection, DialOptions, Listener, Transport } from "../peers/transport.ts";

/** Unread bytes beyond which an accepted connection stops reading from the socket (and so, on
 * a link that stopped reading, e.g. while its BYE goes out, decrypts and holds no more). */
const PAUSE_ABOVE_BYTES = 1024 * 1024;
/** The dialer's first read: its TLS ClientHello (about 1.5 KB), or the start of it. */
const FIRST_READ_BYTES = 4 * 1024;

export interface TlsTransportOptions {
  /** This node's certificate and key (core/security/certificate.ts). */
  certificate: NodeCertificate;
  /** A dialed address presented another node's certificate than the one expected there. */
  onIdentityMismatch?: (event: { expected: string; actual: string; address: string }) => void;
}

/** The dialed address is held by another node than the one expected there. */
export class IdentityMismatchError extends Error {
  constructor(readonly expected: string, readonly actual: string, address: string) {
    super(`${address} is node ${actual}, not the expected ${expected}`);
    this.name = "IdentityMismatchError";
  }
}

/**
 * Peer links over TLS 1.3 with certificates pinned by node id, no CA: the accepting side sends
 * its certificate in a short plaintext preamble (cert_preamble.ts) and then runs the TLS
 * server; the dialer checks that the certificate's key hashes to the node id it expects (or,
 * for a static peer, learns the id from it), then starts TLS trusting exactly that certificate
 * under the id's name. The connection it returns carries that id as `verifiedNodeId`.
 *
 * The server side accepts with Deno.listen and runs node:tls over the socket (Deno.listenTls
 * cannot send the preamble first, and Deno has no server-side startTls); the dialer uses
 * Deno.startTls. Both are rustls underneath.
 */
export class TlsTransport implements Transport {
  readonly #options: TlsTransportOptions;
  readonly #preamble: Uint8Array;
  readonly #secureContext: tls.SecureContext;
  /** Each peer's certificate is parsed once, not at every dial. */
  readonly #peerCertificates = new PeerCertificates();

  constructor(options: TlsTransportOptions) {
    this.#options = options;
    this.#preamble = encodeCertPreamble(options.certificate.der);
    const { certPem, keyPem } = options.certificate;
    this.#secureContext = tls.createSecureContext({
      cert: certPem,
      key: keyPem,
      minVersion: "TLSv1.3",
    });
  }

  // deno-lint-ignore require-await
  async listen(
    hostname: string,
    port: number,
    onConnection: (connection: Connection) => void,
  ): Promise<Listener> {
    const listener = new TcpListener(
      Deno.listen({ hostname: unbracket(hostname), port, transport: "tcp" }),
    );
    listener.acceptLoop((conn) => {
      const connection = new TlsServerConnection(conn, this.#preamble, this.#secureContext);
      // The owner admits or refuses (closes) it synchronously: a refused one never gets as
      // far as the preamble.
      onConnection(connection);
      connection.start();
    });
    return listener;
  }

  async dial(
    hostname: string,
    port: number,
    signal?: AbortSignal,
    options: DialOptions = {},
  ): Promise<Connection> {
    signal?.throwIfAborted();
    const tcp = await Deno.connect({ hostname: unbracket(hostname), port, signal });
    options.onConnected?.();
    let current: Deno.TcpConn | Deno.TlsConn = tcp;
    const closeCurrent = () => {
      try {
        current.close();
      } catch { /* already closed */ }
    };
    signal?.addEventListener("abort", closeCurrent, { once: true });
    try {
      tcp.setNoDelay(true);
      const header = await readExactly(tcp, PREAMBLE_HEADER_BYTES);
      const der = await readExactly(tcp, certLengthFromHeader(header));
      const actual = await this.#peerCertificates.nodeId(der);
      const expected = options.expectedNodeId;
      if (expected !== undefined && actual !== expected) {
        const address = `${hostname}:${port}`;
        this.#options.onIdentityMismatch?.({ expected, actual, address });
        throw new IdentityMismatchError(expected, actual, address);
      }
      signal?.throwIfAborted();
      const secured = await Deno.startTls(tcp, {
        hostname: tlsServerName(actual),
        caCerts: [pem("CERTIFICATE", der)],
      });
      current = secured;
      await secured.handshake();
      signal?.throwIfAborted();
      return new TcpConnection(secured, { verifiedNodeId: actual });
    } catch (error) {
      closeCurrent();
      signal?.throwIfAborted();
      throw error;
    } finally {
      signal?.removeEventListener("abort", closeCurrent);
    }
  }
}

/** Reads exactly `length` bytes (never more: TLS must find the stream right after them). */
async function readExactly(conn: Deno.TcpConn, length: number): Promise<Uint8Array> {
  const out = new Uint8Array(length);
  let filled = 0;
  while (filled < length) {
    const n = await conn.read(out.subarray(filled));
    if (n === null) throw new Error("connection closed before the certificate preamble ended");
    filled += n;
  }
  return out;
}

/** A dual-stack listener reports IPv4 peers as `::ffff:a.b.c.d`. */
function plainAddress(address: string | undefined): string {
  if (!address) return "";
  return address.startsWith("::ffff:") && address.includes(".") ? address.slice(7) : address;
}

/** A write waiting for the TLS server to exist. */
interface HeldWrite {
  bytes: Uint8Array;
  resolve: () => void;
  reject: (error: Error) => void;
}

/**
 * An accepted connection. It costs a bare TCP socket until the dialer speaks: the owner first
 * decides whether to admit it (address, per-address and handshake limits), then `start()` sends
 * the certificate preamble, and only the dialer's first bytes (its TLS ClientHello) create the
 * TLS server. A refused connection, or one that closes or times out without sending a byte,
 * never has any TLS state. Writes before that wait (the link engine writes its HELO at once).
 * Received chunks queue until read; above PAUSE_ABOVE_BYTES reads from the socket stop (the peer
 * then waits on TCP).
 */
class TlsServerConnection implements Connection {
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly encrypted = true;
  #conn: Deno.TcpConn;
  #stream: ConnDuplex | null = null;
  #tls: tls.TLSSocket | null = null;
  #started = false;
  #heldWrites: HeldWrite[] = [];
  #queue: Uint8Array[] = [];
  #queuedBytes = 0;
  #ended = false;
  #failure: Error | null = null;
  #closed = false;
  #waiter: { resolve: (chunk: Uint8Array | null) => void; reject: (error: Error) => void } | null =
    null;

  constructor(
    conn: Deno.TcpConn,
    private readonly preamble: Uint8Array,
    private readonly secureContext: tls.SecureContext,
  ) {
    this.#conn = conn;
    conn.setNoDelay(true);
    const remote = conn.remoteAddr as Deno.NetAddr;
    this.remoteAddress = plainAddress(remote.hostname);
    this.remotePort = remote.port;
  }

  /**
   * Sends the preamble and waits for the dialer's first bytes to start TLS with; once, and
   * nothing after `close()`.
   */
  start(): void {
    if (this.#started || this.#closed) return;
    this.#started = true;
    this.#awaitDialer().catch((error) => {
      if (!this.#closed) this.#fail(error);
    });
  }

  async #awaitDialer(): Promise<void> {
    await writeAll(this.#conn, this.preamble);
    const first = new Uint8Array(FIRST_READ_BYTES);
    const n = await this.#conn.read(first);
    if (this.#closed) return;
    if (n === null) this.#end();
    else this.#startTls(first.subarray(0, n));
  }

  read(): Promise<Uint8Array | null> {
    if (this.#closed) return Promise.resolve(null);
    const chunk = this.#queue.shift();
    if (chunk) {
      this.#queuedBytes -= chunk.length;
      if (this.#queuedBytes <= PAUSE_ABOVE_BYTES / 2) this.#stream?.release();
      return Promise.resolve(chunk);
    }
    if (this.#failure) return Promise.reject(this.#failure);
    if (this.#ended) return Promise.resolve(null);
    return new Promise((resolve, reject) => this.#waiter = { resolve, reject });
  }

  write(bytes: Uint8Array): Promise<void> {
    if (this.#closed) return Promise.reject(new Error("connection closed"));
    if (this.#failure) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => {
      if (this.#tls) this.#tlsWrite(this.#tls, { bytes, resolve, reject });
      else this.#heldWrites.push({ bytes, resolve, reject });
    });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const secured = this.#tls;
    const stream = this.#stream;
    if (secured && stream) {
      // Nothing read from now on is wanted: stop reading the socket at once.
      stream.hold();
      // Deno's node:tls starts a new TLSSocket's reading on the next tick; destroyed in the
      // tick it was made, a TLSSocket and its native TLS state are never freed (Deno 2.9).
      process.nextTick(() => {
        try {
          secured.destroy();
        } finally {
          stream.destroy();
        }
      });
    } else {
      try {
        this.#conn.close();
      } catch { /* already closed */ }
    }
    this.#dropHeldWrites(new Error("connection closed"));
    this.#end();
  }

  /** The dialer's first bytes arrived: the TLS server starts with them. */
  #startTls(first: Uint8Array): void {
    const stream = new ConnDuplex(this.#conn, first);
    const secured = new tls.TLSSocket(stream, {
      isServer: true,
      secureContext: this.secureContext,
    });
    this.#stream = stream;
    this.#tls = secured;
    // A view, not a copy: node:tls hands every read a buffer of its own.
    secured.on("data", (chunk: Uint8Array) => {
      this.#push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    });
    secured.on("end", () => this.#end());
    secured.on("close", () => this.#end());
    secured.on("error", (error: Error) => this.#fail(error));
    const held = this.#heldWrites;
    this.#heldWrites = [];
    for (const write of held) this.#tlsWrite(secured, write);
  }

  #tlsWrite(secured: tls.TLSSocket, { bytes, resolve, reject }: HeldWrite): void {
    secured.write(bytes, (error?: Error | null) => error ? reject(error) : resolve());
  }

  #dropHeldWrites(error: Error): void {
    const held = this.#heldWrites;
    this.#heldWrites = [];
    for (const write of held) write.reject(error);
  }

  #push(chunk: Uint8Array): void {
    if (this.#closed || chunk.length === 0) return;
    if (this.#waiter) {
      const waiter = this.#waiter;
      this.#waiter = null;
      waiter.resolve(chunk);
      return;
    }
    this.#queue.push(chunk);
    this.#queuedBytes += chunk.length;
    // On the socket, not the TLSSocket: Deno 2.9's TLSSocket.pause() stops its "data" events
    // but not its reads from the stream under it.
    if (this.#queuedBytes > PAUSE_ABOVE_BYTES) this.#stream?.hold();
  }

  #end(): void {
    this.#ended = true;
    this.#dropHeldWrites(new Error("connection closed"));
    const waiter = this.#waiter;
    this.#waiter = null;
    waiter?.resolve(null);
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    this.#dropHeldWrites(error);
    const waiter = this.#waiter;
    this.#waiter = null;
    waiter?.reject(error);
  }
}
