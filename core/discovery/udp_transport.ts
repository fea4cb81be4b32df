import { createSocket, type Socket } from "node:dgram";
import { type Logger, silentLogger } from "../log/logger.ts";
import type { DatagramTransport } from "./datagram_transport.ts";

export interface UdpTransportOptions {
  /** Port to bind; 0 picks a free one (tests). */
  port: number;
  /** Address to bind. Default 0.0.0.0, so broadcasts to any interface arrive. */
  host?: string;
  logger?: Logger;
}

export interface UdpTransport extends DatagramTransport {
  /** The port actually bound. */
  readonly port: number;
}

/**
 * A UDP socket for discovery, through node:dgram (works in Deno without --unstable-net).
 * `reuseAddr` lets two processes on one host share the discovery port; broadcast is enabled.
 */
export async function openUdpTransport(options: UdpTransportOptions): Promise<UdpTransport> {
  const host = options.host ?? "0.0.0.0";
  const logger = options.logger ?? silentLogger;
  const socket: Socket = createSocket({ type: "udp4", reuseAddr: true });
  await new Promise<void>((resolve, reject) => {
    const fail = (error: Error) => {
      socket.close();
      reject(new Error(`cannot bind UDP ${host}:${options.port}: ${error.message}`));
    };
    socket.once("error", fail);
    socket.bind(options.port, host, () => {
      socket.off("error", fail);
      resolve();
    });
  });
  socket.setBroadcast(true);
  // After binding, socket errors (e.g. ICMP unreachable reports) are logged, never thrown.
  socket.on("error", (error) => logger.debug("udp socket error", { error }));

  let closed: Promise<void> | null = null;
  return {
    port: socket.address().port,
    send: (bytes, toHost, toPort) =>
      new Promise((resolve, reject) => {
        if (closed) return reject(new Error(`cannot send to ${toHost}:${toPort}: socket closed`));
        socket.send(bytes, toPort, toHost, (error) => {
          if (error) reject(new Error(`cannot send to ${toHost}:${toPort}: ${error.message}`));
          else resolve();
        });
      }),
    onMessage: (callback) => {
      socket.removeAllListeners("message");
      socket.on("message", (message: Uint8Array, remote: { address: string; port: number }) => {
        callback(new Uint8Array(message), remote.address, remote.port);
      });
    },
    close: () => {
      closed ??= new Promise((resolve) => socket.close(() => resolve()));
      return closed;
    },
  };
}
