import type { Marker, PayloadOf } from "../wire/messages/index.ts";

/** A linked peer as the domain modules (llm, sync) see it. */
export interface PeerRef {
  id: string;
  name: string;
  /** Remote IP address of the link. */
  address: string;
}

export type MessageHandler<M extends Marker> = (from: PeerRef, payload: PayloadOf<M>) => void;

/**
 * The narrow view of the mesh that domain modules need: send typed messages to linked peers
 * and hear theirs. Implemented by the link manager over TCP/TLS and by MemoryMesh in tests.
 */
export interface PeerBus {
  /** Sends to one linked peer; returns false when no link to it is up. */
  send<M extends Marker>(peerId: string, marker: M, payload: PayloadOf<M>): boolean;
  /** Sends to every linked peer except `exceptPeerId`. */
  broadcast<M extends Marker>(marker: M, payload: PayloadOf<M>, exceptPeerId?: string): void;
  /** Subscribes to one marker; returns the unsubscribe function. */
  on<M extends Marker>(marker: M, handler: MessageHandler<M>): () => void;
  /**
   * A connection became the peer's link: the first one, or a replacement after a duplicate
   * swap (handlers greet the peer again: it may have seen the old connection fail and dropped
   * its state for us). Messages the peer sent on the old connection still arrive, possibly
   * after this. Handlers must be idempotent; no onLinkDown comes between a link and its
   * replacement.
   */
  onLinkUp(handler: (peer: PeerRef) => void): () => void;
  onLinkDown(handler: (peer: PeerRef) => void): () => void;
  linkedPeers(): PeerRef[];
}
