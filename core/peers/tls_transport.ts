import net from "node:net";
import tls from "node:tls";
import {
  certLengthFromHeader,
  encodeCertPreamble,
  PREAMBLE_HEADER_BYTES,
} from "../security/cert_preamble.ts";
import {
  certificateNodeId,
  type NodeCertificate,
  pem,
  tlsServerName,
} from "../security/certificate.ts";
import { TcpConnection, unbracket } from "./tcp_transport.ts";
import type { Connection, DialOptions, Listener, Transport } from "./transport.ts";

/** Unread bytes beyond which an accepted connection stops reading from the socket. */
const PAUSE_ABOVE_BYTES = 1024 * 1024;

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
 * The server side uses node:tls, because Deno.listenTls cannot send the preamble first; the
 * dialer uses Deno.startTls. Both are rustls underneath.
 */
export class TlsTransport implements Transport {
  readonly #options: TlsTransportOptions;
  readonly #preamble: Uint8Array;

  constructor(options: TlsTransportOptions) {
    this.#options = options;
    this.#preamble = encodeCertPreamble(options.certificate.der);
  }

  listen(
    hostname: string,
    port: number,
    onConnection: (connection: Connection) => void,
  ): Promise<Listener> {
    const { certPem, keyPem } = this.#options.certificate;
    return new Promise((resolve, reject) => {
      const server = net.createServer({ noDelay: true }, (socket) => {
        onConnection(new TlsServerConnection(socket, this.#preamble, certPem, keyPem));
      });
      server.once("error", reject);
      server.listen({ host: unbracket(hostname), port }, () => {
        server.off("error", reject);
        // After listening, failures belong to single connections: keep serving.
        server.on("error", () => {});
        resolve(new NodeListener(server));
      });
    });
  }

  async dial(
    hostname: string,
    port: number,
    signal?: AbortSignal,
    options: DialOptions = {},
  ): Promise<Connection> {
    signal?.throwIfAborted();
    const tcp = await Deno.connect({ hostname: unbracket(hostname), port, signal });
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
      const actual = await certificateNodeId(der);
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

/** node:net reports IPv4 peers of a dual-stack socket as `::ffff:a.b.c.d`. */
function plainAddress(address: string | undefined): string {
  if (!address) return "";
  return address.startsWith("::ffff:") && address.includes(".") ? address.slice(7) : address;
}

/**
 * An accepted connection: sends the preamble and starts the TLS server at once (the dialer
 * waits for the preamble before anything else, so it must not wait for our first read).
 * Received chunks queue until read; above PAUSE_ABOVE_BYTES the socket is paused (the peer then
 * waits on TCP).
 */
class TlsServerConnection implements Connection {
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly encrypted = true;
  #socket: net.Socket;
  #tls: tls.TLSSocket | null = null;
  #queue: Uint8Array[] = [];
  #queuedBytes = 0;
  #ended = false;
  #failure: Error | null = null;
  #closed = false;
  #waiter: { resolve: (chunk: Uint8Array | null) => void; reject: (error: Error) => void } | null =
    null;

  constructor(
    socket: net.Socket,
    private readonly preamble: Uint8Array,
    private readonly certPem: string,
    private readonly keyPem: string,
  ) {
    this.#socket = socket;
    this.remoteAddress = plainAddress(socket.remoteAddress);
    this.remotePort = socket.remotePort ?? 0;
    // Failures surface through the TLS socket or as end of stream; never as a process error.
    socket.on("error", (error: Error) => this.#fail(error));
    socket.on("close", () => this.#end());
    this.#secure();
  }

  read(): Promise<Uint8Array | null> {
    if (this.#closed) return Promise.resolve(null);
    this.#secure();
    const chunk = this.#queue.shift();
    if (chunk) {
      this.#queuedBytes -= chunk.length;
      if (this.#queuedBytes <= PAUSE_ABOVE_BYTES / 2 && this.#tls?.isPaused()) this.#tls.resume();
      return Promise.resolve(chunk);
    }
    if (this.#failure) return Promise.reject(this.#failure);
    if (this.#ended) return Promise.resolve(null);
    return new Promise((resolve, reject) => this.#waiter = { resolve, reject });
  }

  write(bytes: Uint8Array): Promise<void> {
    if (this.#closed) return Promise.reject(new Error("connection closed"));
    if (this.#failure) return Promise.reject(this.#failure);
    const secured = this.#secure();
    return new Promise((resolve, reject) => {
      secured.write(bytes, (error?: Error | null) => error ? reject(error) : resolve());
    });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#tls?.destroy();
    this.#socket.destroy();
    this.#end();
  }

  #secure(): tls.TLSSocket {
    if (this.#tls) return this.#tls;
    this.#socket.write(this.preamble);
    const secured = new tls.TLSSocket(this.#socket, {
      isServer: true,
      cert: this.certPem,
      key: this.keyPem,
      minVersion: "TLSv1.3",
    });
    this.#tls = secured;
    secured.on("data", (chunk: Uint8Array) => this.#push(new Uint8Array(chunk)));
    secured.on("end", () => this.#end());
    secured.on("close", () => this.#end());
    secured.on("error", (error: Error) => this.#fail(error));
    return secured;
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
    if (this.#queuedBytes > PAUSE_ABOVE_BYTES) this.#tls?.pause();
  }

  #end(): void {
    this.#ended = true;
    const waiter = this.#waiter;
    this.#waiter = null;
    waiter?.resolve(null);
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    const waiter = this.#waiter;
    this.#waiter = null;
    waiter?.reject(error);
  }
}

class NodeListener implements Listener {
  readonly hostname: string;
  readonly port: number;
  #closed = false;

  constructor(private readonly server: net.Server) {
    const address = server.address() as net.AddressInfo;
    this.hostname = address.address;
    this.port = address.port;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.server.close();
  }
}
