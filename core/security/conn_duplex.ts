import { Duplex } from "node:stream";
import { MIN_READ_BYTES, nextReadBytes, writeAll } from "../peers/tcp_transport.ts";

/**
 * A Deno TCP connection as a node Duplex stream, so node:tls can run a TLS server over a
 * socket that Deno.listen accepted (Deno has no server-side startTls). `head` is what was read
 * from the connection before, handed out first. Reads stop while the consumer applies
 * backpressure or while the owner holds them (`hold()`: Deno 2.9's TLSSocket keeps reading the
 * stream under it even when paused); destroying the stream closes the connection.
 */
export class ConnDuplex extends Duplex {
  readonly #conn: Deno.Conn;
  #head: Uint8Array | null;
  #reading = false;
  /** The owner has stopped reading from the socket (see hold()). */
  #held = false;
  /** Sized to traffic: an idle link's pending read holds 4 KiB, a busy one reads more. */
  #readBytes = MIN_READ_BYTES;

  constructor(conn: Deno.Conn, head: Uint8Array) {
    super();
    this.#conn = conn;
    this.#head = head.length > 0 ? head : null;
  }

  override _read(): void {
    if (this.#reading || this.#held) return;
    this.#reading = true;
    this.#readLoop().catch((error) => this.destroy(error));
  }

  /** Stops reading from the socket after the read under way, whatever the consumer asks. */
  hold(): void {
    this.#held = true;
  }

  /** Reads again after hold(). */
  release(): void {
    if (!this.#held) return;
    this.#held = false;
    if (!this.destroyed) this._read();
  }

  async #readLoop(): Promise<void> {
    const head = this.#head;
    if (head) {
      this.#head = null;
      // Never within the _read() call: node:tls starts its TLS handle with a read, and bytes
      // that fail it synchronously there (garbage) crash Deno 2.9's TLSSocket._start.
      await Promise.resolve();
      if (!this.push(head)) {
        this.#reading = false;
        return;
      }
    }
    while (!this.#held) {
      // A fresh buffer each time: the consumer may hold on to what it was given.
      const buffer = new Uint8Array(this.#readBytes);
      const n = await this.#conn.read(buffer);
      if (n === null) {
        this.push(null);
        return;
      }
      this.#readBytes = nextReadBytes(this.#readBytes, n);
      if (!this.push(buffer.subarray(0, n))) break;
    }
    this.#reading = false;
  }

  override _write(
    chunk: Uint8Array,
    _encoding: string,
    callback: (error?: Error | null) => void,
  ): void {
    writeAll(this.#conn, chunk).then(() => callback(), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    try {
      this.#conn.closeWrite().then(() => callback(), () => callback());
    } catch {
      callback();
    }
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    try {
      this.#conn.close();
    } catch { /* already closed */ }
    callback(error);
  }
}
