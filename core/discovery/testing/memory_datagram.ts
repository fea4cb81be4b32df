import type { DatagramTransport } from "../datagram_transport.ts";

export interface SentPacket {
  from: string;
  fromPort: number;
  to: string;
  port: number;
  bytes: Uint8Array;
}

interface Member {
  address: string;
  port: number;
  receive: ((bytes: Uint8Array, remoteAddress: string, remotePort: number) => void) | null;
  closed: boolean;
}

/**
 * A simulated LAN segment for discovery tests: transports attached at an address and port,
 * broadcast addresses that reach every member on the port (the sender too, as real broadcast
 * does), unreachable members, and a log of every packet. Nothing arrives until `drain()`, so a
 * test controls when packets land and sees packets that cause more packets.
 */
export class MemoryDatagramHub {
  readonly sent: SentPacket[] = [];
  #members: Member[] = [];
  #queue: SentPacket[] = [];
  #unreachable = new Set<string>();
  #broadcast: Set<string>;

  constructor(broadcastAddresses: readonly string[] = ["10.0.0.255", "255.255.255.255"]) {
    this.#broadcast = new Set(broadcastAddresses);
  }

  attach(address: string, port: number): DatagramTransport {
    const member: Member = { address, port, receive: null, closed: false };
    this.#members.push(member);
    return {
      send: (bytes, host, toPort) => {
        if (member.closed) return Promise.reject(new Error(`send on closed socket ${address}`));
        this.#enqueue({
          from: address,
          fromPort: port,
          to: host,
          port: toPort,
          bytes: bytes.slice(),
        });
        return Promise.resolve();
      },
      onMessage: (callback) => {
        member.receive = callback;
      },
      close: () => {
        member.closed = true;
        this.#members = this.#members.filter((m) => m !== member);
        return Promise.resolve();
      },
    };
  }

  /** Queues a packet as if `from` had sent it (spoofed or legacy senders). */
  inject(bytes: Uint8Array, from: string, to: string, port: number, fromPort = port): void {
    this.#enqueue({ from, fromPort, to, port, bytes: bytes.slice() });
  }

  /** A cut cable: nothing from or to `address` gets through while false. */
  setReachable(address: string, reachable: boolean): void {
    if (reachable) this.#unreachable.delete(address);
    else this.#unreachable.add(address);
  }

  /**
   * Delivers queued packets, and the packets they cause, until none are left; returns how many
   * were delivered. Throws when packets keep causing packets (an answer loop).
   */
  async drain(maxRounds = 100): Promise<number> {
    let delivered = 0;
    for (let round = 0; round < maxRounds; round++) {
      await new Promise((resolve) => setTimeout(resolve, 0)); // let pending async sends queue
      if (this.#queue.length === 0) return delivered;
      for (const packet of this.#queue.splice(0)) delivered += this.#deliver(packet);
    }
    throw new Error(`MemoryDatagramHub still busy after ${maxRounds} rounds: an answer loop?`);
  }

  #enqueue(packet: SentPacket): void {
    this.sent.push(packet);
    this.#queue.push(packet);
  }

  #deliver(packet: SentPacket): number {
    if (this.#unreachable.has(packet.from)) return 0;
    const everyone = this.#broadcast.has(packet.to);
    let delivered = 0;
    for (const member of [...this.#members]) {
      if (member.port !== packet.port || !member.receive) continue;
      if (!everyone && member.address !== packet.to) continue;
      if (this.#unreachable.has(member.address)) continue;
      member.receive(packet.bytes.slice(), packet.from, packet.fromPort);
      delivered++;
    }
    return delivered;
  }
}
