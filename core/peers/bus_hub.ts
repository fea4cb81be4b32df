import type { Marker, Message, PayloadOf } from "../wire/messages/index.ts";
import type { MessageHandler, PeerRef } from "./bus.ts";

/**
 * Handler bookkeeping shared by every PeerBus implementation: subscribers per marker and
 * link up/down listeners. A listener that throws is reported, never allowed to break the link.
 */
export class BusHub {
  #handlers = new Map<Marker, Set<MessageHandler<Marker>>>();
  #up = new Set<(peer: PeerRef) => void>();
  #down = new Set<(peer: PeerRef) => void>();

  constructor(private readonly onHandlerError: (error: unknown, marker: string) => void) {}

  on<M extends Marker>(marker: M, handler: MessageHandler<M>): () => void {
    let set = this.#handlers.get(marker);
    if (!set) this.#handlers.set(marker, set = new Set());
    set.add(handler as unknown as MessageHandler<Marker>);
    return () => set.delete(handler as unknown as MessageHandler<Marker>);
  }
  onLinkUp(handler: (peer: PeerRef) => void): () => void {
    this.#up.add(handler);
    return () => this.#up.delete(handler);
  }
  onLinkDown(handler: (peer: PeerRef) => void): () => void {
    this.#down.add(handler);
    return () => this.#down.delete(handler);
  }

  dispatch(from: PeerRef, message: Message): void {
    for (const handler of this.#handlers.get(message.marker) ?? []) {
      try {
        (handler as MessageHandler<typeof message.marker>)(
          from,
          message.payload as PayloadOf<Marker>,
        );
      } catch (error) {
        this.onHandlerError(error, message.marker);
      }
    }
  }
  linkUp(peer: PeerRef): void {
    for (const handler of this.#up) this.#safe(() => handler(peer), "link-up");
  }
  linkDown(peer: PeerRef): void {
    for (const handler of this.#down) this.#safe(() => handler(peer), "link-down");
  }
  #safe(fn: () => void, what: string) {
    try {
      fn();
    } catch (error) {
      this.onHandlerError(error, what);
    }
  }
}
