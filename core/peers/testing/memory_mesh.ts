import { decodeMessage, encodeMessage } from "../../wire/codec.ts";
import { FrameDecoder } from "../../wire/decoder.ts";
import { DEFAULT_MAX_FRAME_BYTES } from "../../wire/frame.ts";
import type { Marker, PayloadOf } from "../../wire/messages/index.ts";
import type { MessageHandler, PeerBus, PeerRef } from "../bus.ts";
import { BusHub } from "../bus_hub.ts";

/**
 * An in-memory mesh of PeerBus endpoints for tests of domain modules (sync, llm) without
 * sockets. Messages still go through the real frame codec and schemas, delivered
 * asynchronously in order; links can be cut and restored to simulate partitions.
 */
export class MemoryMesh {
  #nodes = new Map<string, MemoryBus>();
  #links = new Set<string>();

  node(id: string, name = id): MemoryBus {
    const bus = new MemoryBus(this, { id, name, address: "127.0.0.1" });
    this.#nodes.set(id, bus);
    return bus;
  }

  static #key(a: string, b: string) {
    return a < b ? `${a}|${b}` : `${b}|${a}`;
  }
  linked(a: string, b: string) {
    return this.#links.has(MemoryMesh.#key(a, b));
  }
  link(a: string, b: string) {
    if (this.linked(a, b)) return;
    this.#links.add(MemoryMesh.#key(a, b));
    const [na, nb] = [this.#nodes.get(a)!, this.#nodes.get(b)!];
    na.hub.linkUp(nb.self);
    nb.hub.linkUp(na.self);
  }
  unlink(a: string, b: string) {
    if (!this.#links.delete(MemoryMesh.#key(a, b))) return;
    const [na, nb] = [this.#nodes.get(a)!, this.#nodes.get(b)!];
    na.hub.linkDown(nb.self);
    nb.hub.linkDown(na.self);
  }
  /** Links every pair of nodes. */
  linkAll() {
    const ids = [...this.#nodes.keys()];
    for (const a of ids) for (const b of ids) if (a < b) this.link(a, b);
  }
  peersOf(id: string): PeerRef[] {
    return [...this.#nodes.values()].filter((n) => n.self.id !== id && this.linked(id, n.self.id))
      .map((n) => n.self);
  }
  deliver(from: string, to: string, bytes: Uint8Array): boolean {
    if (!this.linked(from, to)) return false;
    const target = this.#nodes.get(to)!;
    const sender = this.#nodes.get(from)!.self;
    queueMicrotask(() => {
      if (!this.linked(from, to)) return;
      for (const frame of target.decoder.push(bytes)) {
        target.hub.dispatch(sender, decodeMessage(frame));
      }
    });
    return true;
  }
}

export class MemoryBus implements PeerBus {
  readonly hub = new BusHub((error, marker) => {
    throw new Error(`handler for ${marker} failed: ${(error as Error).message}`);
  });
  readonly decoder = new FrameDecoder(DEFAULT_MAX_FRAME_BYTES);

  constructor(private readonly mesh: MemoryMesh, readonly self: PeerRef) {}

  send<M extends Marker>(peerId: string, marker: M, payload: PayloadOf<M>): boolean {
    return this.mesh.deliver(this.self.id, peerId, encodeMessage(marker, payload));
  }
  broadcast<M extends Marker>(marker: M, payload: PayloadOf<M>, exceptPeerId?: string): void {
    const bytes = encodeMessage(marker, payload);
    for (const peer of this.linkedPeers()) {
      if (peer.id !== exceptPeerId) this.mesh.deliver(this.self.id, peer.id, bytes);
    }
  }
  on<M extends Marker>(marker: M, handler: MessageHandler<M>) {
    return this.hub.on(marker, handler);
  }
  onLinkUp(handler: (peer: PeerRef) => void) {
    return this.hub.onLinkUp(handler);
  }
  onLinkDown(handler: (peer: PeerRef) => void) {
    return this.hub.onLinkDown(handler);
  }
  linkedPeers(): PeerRef[] {
    return this.mesh.peersOf(this.self.id);
  }
}
