/**
 * What discovery needs from a UDP socket. `udp_transport.ts` implements it with node:dgram;
 * `memory_datagram.ts` joins several nodes in memory for tests.
 */
export interface DatagramTransport {
  /** Sends one datagram; rejects when the socket cannot send (closed, no route). */
  send(bytes: Uint8Array, host: string, port: number): Promise<void>;
  /** Sets the one receiver of incoming datagrams; the bytes are the caller's to keep. */
  onMessage(callback: (bytes: Uint8Array, remoteAddress: string, remotePort: number) => void): void;
  /** Stops receiving and releases the socket. Idempotent. */
  close(): Promise<void>;
}
