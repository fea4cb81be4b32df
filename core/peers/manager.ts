import type { Logger } from "../log/logger.ts";
import type { CidrSet } from "../net/cidr.ts";
import { encodeMessage } from "../wire/codec.ts";
import { DEFAULT_MAX_FRAME_BYTES } from "../wire/frame.ts";
import type { Marker, PayloadOf } from "../wire/messages/index.ts";
import { type Hello, PROTOCOL_VERSION } from "../wire/messages/link.ts";
import { inboundRefusal } from "./admission.ts";
import type { MessageHandler, PeerBus, PeerRef } from "./bus.ts";
import { BusHub } from "./bus_hub.ts";
import { type Clock, systemClock, type TimerHandle } from "../time/clock.ts";
import { type ConnectOptions, Dialer } from "./dialer.ts";
import { arbitrate, DUPLICATE_LINK } from "./duplicate.ts";
import { Link } from "./link.ts";
import type { LinkDirection, LinkDown } from "./link_options.ts";
import type { LinkManagerOptions } from "./manager_options.ts";
import {
  countsAsLinked,
  leavesTable,
  type LinkCounters,
  linkDownVerdict,
  linkUpVerdict,
  type NodeDetails,
  type NodeLinkFacts,
  peerRows,
  type PeerStatus,
} from "./peer_table.ts";
import { TcpTransport } from "./tcp_transport.ts";
import type { Connection, Listener, Transport } from "./transport.ts";

export type { ConnectOptions } from "./dialer.ts";
export { DUPLICATE_LINK } from "./duplicate.ts";
export type { LinkManagerOptions } from "./manager_options.ts";
export type { PeerState, PeerStatus } from "./peer_table.ts";

/** A node we completed a handshake with. */
interface NodeRecord extends NodeDetails {
  /** The one link in use; undefined while down. */
  link?: Link;
  /** Counters and RTT of the last link, kept after it ends. */
  last: LinkCounters;
  /** Set while a link is being replaced by a better duplicate: no down/up events. */
  swapping: boolean;
  /** Pending "down" after the peer closed our link as a duplicate; a replacement cancels it. */
  downGrace?: TimerHandle;
}

/**
 * All peer links of this node, behind PeerBus: the loop that binds transport and clock to the
 * rules. It listens for peers and admits them (admission.ts), dials discovered and static ones
 * through the Dialer (dial_plan.ts), keeps exactly one link per node (duplicate.ts), and keeps
 * the node table and its status projection (peer_table.ts).
 */
export class LinkManager implements PeerBus {
  readonly #options: LinkManagerOptions;
  readonly #clock: Clock;
  readonly #transport: Transport;
  readonly #logger: Logger;
  readonly #hub: BusHub;
  readonly #dialer: Dialer;
  #name: string;
  #hasLlm: boolean;
  #allowed: CidrSet;
  #blocked: CidrSet | null;
  #listener: Listener | null = null;
  #peerPort: number;
  #state: "idle" | "running" | "closed" = "idle";

  #nodes = new Map<string, NodeRecord>();
  #links = new Set<Link>();
  /** Links closed as duplicates, still delivering what the peer sent before our BYE. */
  #retiring = new Set<Link>();
  #changeHandlers = new Set<() => void>();

  constructor(options: LinkManagerOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#transport = options.transport ?? new TcpTransport();
    this.#logger = options.logger;
    this.#name = options.identity.name;
    this.#hasLlm = options.hasLlm ?? false;
    this.#allowed = options.allowed;
    this.#blocked = options.blocked ?? null;
    this.#peerPort = options.peerPort;
    this.#hub = new BusHub((error, what) => {
      this.#logger.error("peer bus handler failed", { what, error: error as Error });
    });
    this.#dialer = new Dialer({
      selfId: options.identity.nodeId,
      deferHigherMs: options.dialDeferMs,
      maxConcurrentDials: options.maxConcurrentDials,
      host: {
        isLinked: (nodeId) => this.#isLinked(nodeId),
        addressAllowed: (address) => this.#addressAllowed(address),
        startLink: (connection) => this.#startLink(connection, "out"),
        dropStaleLink: (nodeId, host) => {
          const node = this.#nodes.get(nodeId);
          // Aborting the stale link runs the usual down path, which redials with a fresh backoff.
          if (node?.link && node.address === host) node.link.abort("peer restarted");
        },
        changed: () => this.#changed(),
      },
      transport: this.#transport,
      clock: this.#clock,
      logger: this.#logger,
      connectTimeoutMs: options.connectTimeoutMs ?? 3_000,
      secureTimeoutMs: options.handshakeTimeoutMs,
      backoff: options.backoff,
      stableLinkMs: options.stableLinkMs ?? 10_000,
    });
  }

  /** The port peers reach us on (the bound one after `start`, if 0 was asked). */
  get peerPort(): number {
    return this.#peerPort;
  }

  /** Starts listening; rejects with the address when the port cannot be bound. */
  async start(): Promise<void> {
    if (this.#state !== "idle") throw new Error(`LinkManager.start(): already ${this.#state}`);
    const { peerHost, peerPort } = this.#options;
    try {
      this.#listener = await this.#transport.listen(peerHost, peerPort, (c) => this.#accept(c));
    } catch (error) {
      throw new Error(
        `cannot listen for peers on ${peerHost}:${peerPort}: ${(error as Error).message}`,
      );
    }
    this.#peerPort = this.#listener.port;
    this.#state = "running";
    this.#logger.info("peer links listening", { host: peerHost, port: this.#peerPort });
  }

  /**
   * Wants a link to the node at `host:port`: dials now unless that node is already linked, and
   * redials with backoff whenever it is down, until `forget(nodeId)` (static peers: forever).
   * Calling it again for a known target is cheap and idempotent.
   */
  connect(host: string, port: number, options: ConnectOptions = {}): void {
    if (this.#state !== "closed") this.#dialer.connect(host, port, options);
  }

  /**
   * Stops wanting `nodeId` (discovery lost it): no more redials to it except as a static peer.
   * A link still up stays until it ends by itself; a node not linked leaves the table.
   */
  forget(nodeId: string): void {
    this.#dialer.forget(nodeId);
    const node = this.#nodes.get(nodeId);
    if (node && !node.link && !this.#dialer.wants(nodeId)) {
      this.#clearGrace(node);
      this.#nodes.delete(nodeId);
    }
    this.#changed();
  }

  /**
   * Closes the link to `nodeId` (gracefully, telling it `reason`), e.g. after the user blocked
   * it. Targets wanting it redial as usual; the trust policy then decides again.
   */
  disconnect(nodeId: string, reason: string): boolean {
    const link = this.#nodes.get(nodeId)?.link;
    if (!link) return false;
    link.close(reason);
    return true;
  }

  /** Dials every target wanting `nodeId` now instead of at the end of its backoff (after an approval). */
  retryNow(nodeId: string): void {
    this.#dialer.retryNow(nodeId);
  }

  /** Name told to peers in future HELOs. */
  setName(name: string): void {
    this.#name = name;
  }
  /** hasLlm told to peers in future HELOs. */
  setHasLlm(hasLlm: boolean): void {
    this.#hasLlm = hasLlm;
  }
  /** New allow/block lists; open links from addresses no longer allowed are closed. */
  setAccessLists(allowed: CidrSet, blocked: CidrSet | null = null): void {
    this.#allowed = allowed;
    this.#blocked = blocked;
    for (const link of [...this.#links, ...this.#retiring]) {
      if (this.#addressAllowed(link.connection.remoteAddress)) continue;
      if (this.#retiring.has(link)) link.abort("address no longer allowed");
      else link.close("address no longer allowed");
    }
  }

  /** The peer table: every node linked, being dialed, or lost and not yet forgotten. */
  peers(): PeerStatus[] {
    const nodes = [...this.#nodes.values()].map((node) => ({
      ...node,
      ...this.#facts(node),
      counters: node.link ? node.link.stats : node.last,
    }));
    return peerRows(nodes, this.#dialer.rows());
  }

  /** Called after any change of the peer table's states (not on every counter tick). */
  onPeersChanged(handler: () => void): () => void {
    this.#changeHandlers.add(handler);
    return () => this.#changeHandlers.delete(handler);
  }

  // ---- PeerBus ---------------------------------------------------------------------------

  send<M extends Marker>(peerId: string, marker: M, payload: PayloadOf<M>): boolean {
    return this.#nodes.get(peerId)?.link?.send(marker, payload) ?? false;
  }

  broadcast<M extends Marker>(marker: M, payload: PayloadOf<M>, exceptPeerId?: string): void {
    let frame: Uint8Array | null = null;
    for (const node of this.#nodes.values()) {
      if (!node.link || node.id === exceptPeerId) continue;
      frame ??= encodeMessage(marker, payload); // encoded once for all peers
      node.link.sendFrame(frame);
    }
  }

  on<M extends Marker>(marker: M, handler: MessageHandler<M>): () => void {
    return this.#hub.on(marker, handler);
  }
  onLinkUp(handler: (peer: PeerRef) => void): () => void {
    return this.#hub.onLinkUp(handler);
  }
  onLinkDown(handler: (peer: PeerRef) => void): () => void {
    return this.#hub.onLinkDown(handler);
  }
  linkedPeers(): PeerRef[] {
    return [...this.#nodes.values()].filter((n) => n.link).map((n) => this.#ref(n));
  }

  /**
   * Shuts down: stops listening and dialing, and closes every link — gracefully (queued frames
   * and a BYE!: first) unless `graceful` is false, which drops connections like a crash would.
   */
  async close(options: { graceful?: boolean } = {}): Promise<void> {
    if (this.#state === "closed") return;
    this.#state = "closed";
    this.#listener?.close();
    this.#dialer.close();
    for (const node of this.#nodes.values()) this.#clearGrace(node);
    for (const link of this.#retiring) link.abort("node stopping");
    const links = [...this.#links, ...this.#retiring];
    for (const link of [...this.#links]) {
      if (options.graceful === false) link.abort("node stopping");
      else link.close("node stopping");
    }
    await Promise.all(links.map((link) => link.closed));
    this.#changeHandlers.clear();
  }

  // ---- accepting -------------------------------------------------------------------------

  #accept(connection: Connection): void {
    const address = connection.remoteAddress;
    const counts = { fromAddress: 0, pending: 0 };
    for (const link of this.#links) {
      if (link.connection.remoteAddress === address) counts.fromAddress++;
      // Our own dials are not the peers' handshakes this limit is about.
      if (link.state === "handshake" && link.direction === "in") counts.pending++;
    }
    const refusal = inboundRefusal({
      running: this.#state === "running",
      addressAllowed: this.#addressAllowed(address),
      ...counts,
    }, this.#options);
    if (refusal === null) {
      this.#startLink(connection, "in");
      return;
    }
    this.#logger.debug("peer connection refused", { addr: address, reason: refusal });
    connection.close();
  }

  #addressAllowed(address: string): boolean {
    return this.#allowed.matches(address) && !this.#blocked?.matches(address);
  }

  // ---- links -----------------------------------------------------------------------------

  #startLink(connection: Connection, direction: LinkDirection): Link {
    const o = this.#options;
    const link = new Link({
      connection,
      direction,
      hello: {
        nodeId: o.identity.nodeId,
        name: this.#name,
        protocolVersion: o.protocolVersion ?? PROTOCOL_VERSION,
        appVersion: o.appVersion,
        peerPort: this.#peerPort,
        httpPort: o.httpPort,
        hasLlm: this.#hasLlm,
        ...(o.identity.publicKey === undefined ? {} : { publicKey: o.identity.publicKey }),
      },
      verifyHello: o.verifyHello,
      authenticator: o.authenticator,
      admit: (remote, l) => this.#admit(remote, l),
      maxFrameBytes: o.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
      heartbeatMs: o.heartbeatMs,
      linkTimeoutMs: o.linkTimeoutMs,
      handshakeTimeoutMs: o.handshakeTimeoutMs,
      partialFrameTimeoutMs: o.partialFrameTimeoutMs,
      clock: this.#clock,
      logger: this.#logger,
      handlers: {
        onUp: (l) => this.#linkUp(l),
        onMessage: (l, message) => {
          const node = this.#nodes.get(l.remote!.nodeId);
          if (node && (node.link === l || this.#retiring.has(l))) {
            this.#hub.dispatch(this.#ref(node), message);
          }
        },
        onDown: (l, down) => this.#linkDown(l, down),
      },
    });
    this.#links.add(link);
    link.start();
    return link;
  }

  /** Own id and the one-link-per-node rule, decided the same way on both ends. */
  #admit(remote: Hello, link: Link): string | null {
    const node = this.#nodes.get(remote.nodeId);
    const current = node?.link;
    const verdict = arbitrate({
      running: this.#state === "running",
      selfId: this.#options.identity.nodeId,
      remoteId: remote.nodeId,
      current: current ? current.initiator : null,
      candidate: link.initiator,
    });
    if (verdict.kind === "refuse") return verdict.reason;
    if (verdict.kind === "replace") {
      node!.swapping = true;
      node!.link = undefined;
      // Frames the peer sent on it before it sees our BYE still arrive and are dispatched.
      this.#retiring.add(current!);
      current!.closed.then(() => this.#retiring.delete(current!));
      current!.retire(DUPLICATE_LINK);
    }
    return null;
  }

  #linkUp(link: Link): void {
    const remote = link.remote!;
    const now = this.#clock.now();
    let node = this.#nodes.get(remote.nodeId);
    const verdict = linkUpVerdict(node && this.#facts(node));
    if (!node) {
      node = {
        id: remote.nodeId,
        since: now,
        last: {
          bytesIn: 0,
          bytesOut: 0,
          framesIn: 0,
          framesOut: 0,
          rttMs: null,
          lastSeen: now,
        },
        lastError: null,
      } as NodeRecord; // the rest comes from the HELO just below
      this.#nodes.set(node.id, node);
    }
    Object.assign(node, {
      name: remote.name,
      address: link.connection.remoteAddress,
      peerPort: remote.peerPort,
      httpPort: remote.httpPort,
      hasLlm: remote.hasLlm,
      direction: link.direction,
      link,
      swapping: false,
    });
    this.#clearGrace(node);
    this.#dialer.linkUp(link, node.id);
    const fields = {
      peer: node.id,
      name: node.name,
      addr: node.address,
      dir: link.direction,
      app: remote.appVersion,
    };
    if (verdict === "replaced") {
      // Not down and up for the status table, but a new channel for the domain modules: the
      // peer may have seen the old connection fail (reset before our BYE arrived) and dropped
      // its state for us. Link-up handlers greet again (capability, sync pull); idempotent.
      this.#logger.debug("peer link replaced", fields);
    } else {
      node.since = now;
      this.#logger.info("peer link up", fields);
    }
    this.#changed();
    this.#hub.linkUp(this.#ref(node));
  }

  #linkDown(link: Link, down: LinkDown): void {
    this.#links.delete(link);
    const remoteId = link.remote?.nodeId ?? null;
    const node = remoteId === null ? undefined : this.#nodes.get(remoteId);
    const current = node !== undefined && node.link === link;
    const verdict = linkDownVerdict({ current, down, running: this.#state === "running" });
    if (verdict === "stray") {
      // A connection that never became (or no longer was) the node's link.
      this.#logger.debug("peer connection closed", {
        peer: remoteId ?? undefined,
        addr: link.connection.remoteAddress,
        reason: down.reason,
      });
    } else {
      node!.link = undefined;
      node!.last = { ...link.stats };
      node!.lastError = down.reason;
      if (verdict === "grace") {
        // The peer keeps another connection to us; expect it to come up here shortly.
        node!.downGrace = this.#clock.setTimeout(() => {
          node!.downGrace = undefined;
          this.#nodeLost(node!, down, link);
        }, this.#options.handshakeTimeoutMs ?? 5_000);
      } else {
        this.#nodeLost(node!, down, link);
      }
    }
    const ownNode = down.reason === "own node id" || remoteId === this.#options.identity.nodeId;
    this.#dialer.linkDown(link, down, ownNode);
  }

  #nodeLost(node: NodeRecord, down: LinkDown, link: Link): void {
    node.since = this.#clock.now();
    const fields = {
      peer: node.id,
      name: node.name,
      addr: link.connection.remoteAddress,
      reason: down.reason,
    };
    if (down.cause === "protocol") this.#logger.warn("peer link down", fields);
    else if (this.#state === "closed") this.#logger.debug("peer link down", fields);
    else this.#logger.info("peer link down", fields);
    if (leavesTable(down, this.#dialer.wants(node.id))) this.#nodes.delete(node.id);
    this.#changed();
    if (this.#state === "running") this.#dialer.nodeLost(node.id);
    this.#hub.linkDown(this.#ref(node));
  }

  #clearGrace(node: NodeRecord): void {
    if (node.downGrace !== undefined) this.#clock.clearTimeout(node.downGrace);
    node.downGrace = undefined;
  }

  #facts(node: NodeRecord): NodeLinkFacts {
    return {
      linked: node.link !== undefined,
      swapping: node.swapping,
      inGrace: node.downGrace !== undefined,
    };
  }

  /** Linked, or about to be again (a duplicate swap or its grace period is under way). */
  #isLinked(nodeId: string): boolean {
    const node = this.#nodes.get(nodeId);
    return countsAsLinked(node && this.#facts(node));
  }

  #ref(node: NodeRecord): PeerRef {
    return { id: node.id, name: node.name, address: node.address };
  }

  #changed(): void {
    for (const handler of this.#changeHandlers) {
      try {
        handler();
      } catch (error) {
        this.#logger.error("peers-changed handler failed", { error: error as Error });
      }
    }
  }
}
