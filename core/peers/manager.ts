import type { Logger } from "../log/logger.ts";
import type { CidrSet } from "../net/cidr.ts";
import { encodeMessage } from "../wire/codec.ts";
import { DEFAULT_MAX_FRAME_BYTES } from "../wire/frame.ts";
import type { Marker, PayloadOf } from "../wire/messages/index.ts";
import { type Hello, PROTOCOL_VERSION } from "../wire/messages/link.ts";
import { admissionRefusal, DEFAULT_ADMISSION_LIMITS } from "./admission.ts";
import { backoffDelay, type BackoffOptions } from "./backoff.ts";
import type { MessageHandler, PeerBus, PeerRef } from "./bus.ts";
import { BusHub } from "./bus_hub.ts";
import { type Clock, systemClock, type TimerHandle } from "./clock.ts";
import { preferredConnection } from "./duplicate.ts";
import { Link } from "./link.ts";
import type { LinkAuthenticator, LinkDirection, LinkDown } from "./link_options.ts";
import { TcpTransport } from "./tcp_transport.ts";
import type { Connection, Listener, Transport } from "./transport.ts";

export type PeerState = "connecting" | "up" | "backoff" | "lost";

/** One row of the peer table (status API, UI). Times are epoch milliseconds. */
export interface PeerStatus {
  /** Null for a static peer that has not completed a handshake yet. */
  id: string | null;
  name: string;
  /** Address of the link, or the address being dialed. */
  address: string;
  peerPort: number;
  /** Null until its HELO said. */
  httpPort: number | null;
  state: PeerState;
  /** When it entered `state`. */
  since: number;
  /** Last time any byte arrived from it; null if never. */
  lastSeen: number | null;
  rttMs: number | null;
  hasLlm: boolean;
  /** Who dialed the current (or last) link; null if there never was one. */
  direction: LinkDirection | null;
  bytesIn: number;
  bytesOut: number;
  framesIn: number;
  framesOut: number;
  /** Why the last link ended or the last dial failed. */
  lastError: string | null;
}

export interface LinkManagerOptions {
  /** `publicKey` (raw Ed25519, base64) goes into our HELO for the peer to check the id against. */
  identity: { nodeId: string; name: string; publicKey?: string };
  appVersion: string;
  /** Where to listen for peers; port 0 picks a free one (see `peerPort` after start). */
  peerHost: string;
  peerPort: number;
  /** Our HTTP port, told to peers in HELO. */
  httpPort: number;
  hasLlm?: boolean;
  /** Source addresses accepted; a connection from elsewhere is closed before reading. */
  allowed: CidrSet;
  /** Source addresses refused even when allowed. */
  blocked?: CidrSet;
  /** @default {PROTOCOL_VERSION} (tests override it) */
  protocolVersion?: number;
  /** @default {DEFAULT_MAX_FRAME_BYTES} */
  maxFrameBytes?: number;
  /** @default {2_000} */
  heartbeatMs?: number;
  /** @default {10_000} */
  linkTimeoutMs?: number;
  /** @default {5_000} */
  handshakeTimeoutMs?: number;
  /** @default {10_000} */
  partialFrameTimeoutMs?: number;
  /** TCP connect must finish within this. @default {3_000} */
  connectTimeoutMs?: number;
  /** Live connections (any state) from one remote address. @default {8} */
  maxLinksPerAddress?: number;
  /** Connections still in their handshake, all addresses together. @default {64} */
  maxPendingHandshakes?: number;
  /** Redial delays. @default {{ baseMs: 250, capMs: 10_000 }} */
  backoff?: BackoffOptions;
  /** A link up this long resets its target's backoff. @default {10_000} */
  stableLinkMs?: number;
  /** Authentication hook passed to every link (see Link's `verifyHello`). */
  verifyHello?: (remote: Hello, link: Link) => Promise<string | null> | string | null;
  /** Identity proofs and trust policy, passed to every link (core/security/link_guard.ts). */
  authenticator?: LinkAuthenticator;
  /** @default {new TcpTransport()} */
  transport?: Transport;
  logger: Logger;
  clock?: Clock;
}

export interface ConnectOptions {
  /** The node expected there (from discovery): skips the dial while it is linked, and `forget` drops it. */
  nodeId?: string;
  /** Display name until the HELO arrives. */
  name?: string;
  /** Static peer: dialed and redialed forever; `forget` does not remove it. */
  static?: boolean;
  /**
   * The node just restarted (discovery saw a new instance): a link to it is stale, so drop it
   * and dial again now instead of waiting out the heartbeat timeout or a backoff delay.
   */
  restarted?: boolean;
}

/** Reason in the BYE!: that closes the losing link of a pair. */
export const DUPLICATE_LINK = "duplicate link";

/** Somewhere we dial: a discovered node (keyed by node id) or a static peer (keyed by address). */
interface Target {
  key: string;
  host: string;
  port: number;
  isStatic: boolean;
  expectedId: string | null;
  learnedId: string | null;
  nameHint: string;
  state: "connecting" | "backoff" | "satisfied";
  since: number;
  attempt: number;
  timer?: TimerHandle;
  abort?: AbortController;
  link?: Link;
  upAt?: number;
  lastError: string | null;
}

/** A node we completed a handshake with. */
interface NodeRecord {
  id: string;
  name: string;
  address: string;
  peerPort: number;
  httpPort: number;
  hasLlm: boolean;
  /** The one link in use; undefined while down. */
  link?: Link;
  direction: LinkDirection;
  since: number;
  lastSeen: number | null;
  /** Counters and RTT of the last link, kept after it ends. */
  last: Pick<PeerStatus, "bytesIn" | "bytesOut" | "framesIn" | "framesOut" | "rttMs">;
  lastError: string | null;
  /** Set while a link is being replaced by a better duplicate: no down/up events. */
  swapping: boolean;
  /** Pending "down" after the peer closed our link as a duplicate; a replacement cancels it. */
  downGrace?: TimerHandle;
}

/**
 * All peer links of this node, behind PeerBus: listens for peers, dials discovered and static
 * ones, keeps exactly one link per node (see duplicate.ts), redials with backoff while wanted,
 * and keeps the status table.
 */
export class LinkManager implements PeerBus {
  readonly #options: LinkManagerOptions;
  readonly #clock: Clock;
  readonly #transport: Transport;
  readonly #logger: Logger;
  readonly #hub: BusHub;
  #name: string;
  #hasLlm: boolean;
  #allowed: CidrSet;
  #blocked: CidrSet | null;
  #listener: Listener | null = null;
  #peerPort: number;
  #state: "idle" | "running" | "closed" = "idle";

  #targets = new Map<string, Target>();
  #nodes = new Map<string, NodeRecord>();
  #links = new Set<Link>();
  /** Links closed as duplicates, still delivering what the peer sent before our BYE. */
  #retiring = new Set<Link>();
  #targetOfLink = new Map<Link, Target>();
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
    if (this.#state === "closed") return;
    const key = options.nodeId && !options.static ? `id:${options.nodeId}` : `at:${host}:${port}`;
    const existing = this.#targets.get(key);
    if (existing && options.restarted) {
      this.#redialRestarted(existing, host);
      return;
    }
    if (existing) {
      if (existing.host === host && existing.port === port) return;
      const linkedId = this.#targetNodeId(existing);
      if (linkedId !== null && this.#nodes.get(linkedId)?.link) {
        // Announcements are not authenticated: while the node is linked, a new address only
        // takes effect for the next dial, so a spoofed packet cannot cut a working link.
        existing.host = host;
        existing.port = port;
        return;
      }
      // The node moved: dial the new address from now on.
      this.#cancelTarget(existing);
      existing.host = host;
      existing.port = port;
      existing.attempt = 0;
      this.#dial(existing);
      return;
    }
    const target: Target = {
      key,
      host,
      port,
      isStatic: options.static ?? false,
      expectedId: options.nodeId ?? null,
      learnedId: null,
      nameHint: options.name ?? "",
      state: "connecting",
      since: this.#clock.now(),
      attempt: 0,
      lastError: null,
    };
    this.#targets.set(key, target);
    this.#changed();
    this.#dial(target);
  }

  /**
   * Stops wanting `nodeId` (discovery lost it): no more redials to it except as a static peer.
   * A link still up stays until it ends by itself; a node not linked leaves the table.
   */
  forget(nodeId: string): void {
    for (const target of [...this.#targets.values()]) {
      if (target.isStatic || this.#targetNodeId(target) !== nodeId) continue;
      this.#cancelTarget(target); // a link it opened lives on, but is not redialed
      this.#targets.delete(target.key);
    }
    const node = this.#nodes.get(nodeId);
    if (node && !node.link && !this.#wantedIds().has(nodeId)) {
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
    for (const target of this.#targets.values()) {
      if (this.#targetNodeId(target) !== nodeId || target.timer === undefined) continue;
      this.#cancelTarget(target);
      target.attempt = 0;
      this.#dial(target);
    }
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
    for (const link of [...this.#links]) {
      if (!this.#addressAllowed(link.connection.remoteAddress)) {
        link.close("address no longer allowed");
      }
    }
  }

  /** The peer table: every node linked, being dialed, or lost and not yet forgotten. */
  peers(): PeerStatus[] {
    const rows: PeerStatus[] = [];
    const listed = new Set<string>();
    for (const node of this.#nodes.values()) {
      listed.add(node.id);
      rows.push(this.#nodeStatus(node));
    }
    for (const target of this.#targets.values()) {
      const id = this.#targetNodeId(target);
      if (id !== null && listed.has(id)) continue;
      if (id !== null) listed.add(id);
      rows.push({
        id,
        name: target.nameHint,
        address: target.host,
        peerPort: target.port,
        httpPort: null,
        state: target.state === "backoff" ? "backoff" : "connecting",
        since: target.since,
        lastSeen: null,
        rttMs: null,
        hasLlm: false,
        direction: null,
        bytesIn: 0,
        bytesOut: 0,
        framesIn: 0,
        framesOut: 0,
        lastError: target.lastError,
      });
    }
    return rows;
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
    for (const target of this.#targets.values()) this.#cancelTarget(target);
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

  // ---- dialing ---------------------------------------------------------------------------

  async #dial(target: Target): Promise<void> {
    target.timer = undefined;
    if (this.#state === "closed" || this.#targets.get(target.key) !== target) return;
    const id = this.#targetNodeId(target);
    if (id !== null && this.#isLinked(id)) {
      this.#setTarget(target, "satisfied");
      return;
    }
    if (id !== null && this.#dialInProgress(id, target)) {
      // Another target is reaching the same node; look again after a backoff.
      this.#retry(target, null);
      return;
    }
    this.#setTarget(target, "connecting");
    const abort = new AbortController();
    target.abort = abort;
    const connectMs = this.#options.connectTimeoutMs ?? 3_000;
    const timer = this.#clock.setTimeout(() => abort.abort(), connectMs);
    let connection: Connection;
    try {
      connection = await this.#transport.dial(target.host, target.port, abort.signal, {
        expectedNodeId: target.expectedId ?? undefined,
      });
    } catch (error) {
      if (target.abort !== abort) return; // cancelled: forgotten, moved or shutting down
      const reason = abort.signal.aborted
        ? `connect timed out after ${connectMs} ms`
        : `connect failed: ${(error as Error).message}`;
      this.#retry(target, reason);
      return;
    } finally {
      this.#clock.clearTimeout(timer);
    }
    if (target.abort !== abort || !this.#running()) {
      connection.close();
      return;
    }
    target.abort = undefined;
    if (!this.#addressAllowed(connection.remoteAddress)) {
      connection.close();
      this.#retry(target, `address ${connection.remoteAddress} is not allowed`);
      return;
    }
    const link = this.#startLink(connection, "out");
    this.#targetOfLink.set(link, target);
    target.link = link;
  }

  #redialRestarted(target: Target, announcedHost: string): void {
    const nodeId = this.#targetNodeId(target);
    const node = nodeId === null ? undefined : this.#nodes.get(nodeId);
    // Aborting the stale link runs the usual down path, which redials with a fresh backoff.
    // Only an announcement from the link's own address may do that: anyone can send one.
    if (node?.link && node.address === announcedHost) node.link.abort("peer restarted");
    if (target.timer !== undefined) {
      this.#cancelTarget(target);
      target.attempt = 0;
      this.#dial(target);
    }
  }

  #dialInProgress(nodeId: string, except: Target): boolean {
    for (const target of this.#targets.values()) {
      if (target !== except && this.#targetNodeId(target) === nodeId) {
        if (target.abort || target.link) return true;
      }
    }
    return false;
  }

  #retry(target: Target, reason: string | null): void {
    if (this.#state === "closed" || this.#targets.get(target.key) !== target) return;
    if (reason !== null) {
      target.lastError = reason;
      const fields = { target: `${target.host}:${target.port}`, reason };
      if (target.attempt === 0) this.#logger.info("peer unreachable, will retry", fields);
      else this.#logger.debug("peer still unreachable", fields);
    }
    const delay = backoffDelay(target.attempt++, this.#options.backoff);
    this.#setTarget(target, "backoff");
    target.timer = this.#clock.setTimeout(() => this.#dial(target), delay);
  }

  #cancelTarget(target: Target): void {
    if (target.timer !== undefined) this.#clock.clearTimeout(target.timer);
    target.timer = undefined;
    const abort = target.abort;
    target.abort = undefined;
    abort?.abort();
  }

  #setTarget(target: Target, state: Target["state"]): void {
    if (target.state === state) return;
    target.state = state;
    target.since = this.#clock.now();
    this.#changed();
  }

  /** After a node's link ended: redial every target that wants it (unless linked again). */
  #reviewTargets(nodeId: string): void {
    for (const target of this.#targets.values()) {
      if (this.#targetNodeId(target) !== nodeId) continue;
      if (target.timer !== undefined || target.abort || target.link) continue;
      if (this.#isLinked(nodeId)) this.#setTarget(target, "satisfied");
      else this.#retry(target, null);
    }
  }

  /** Linked, or about to be again (a duplicate swap or its grace period is under way). */
  #isLinked(nodeId: string): boolean {
    const node = this.#nodes.get(nodeId);
    return node !== undefined && (node.link !== undefined || node.swapping ||
      node.downGrace !== undefined);
  }

  #targetNodeId(target: Target): string | null {
    return target.learnedId ?? target.expectedId;
  }

  #wantedIds(): Set<string> {
    const ids = new Set<string>();
    for (const target of this.#targets.values()) {
      const id = this.#targetNodeId(target);
      if (id !== null) ids.add(id);
    }
    return ids;
  }

  // ---- accepting -------------------------------------------------------------------------

  #accept(connection: Connection): void {
    const address = connection.remoteAddress;
    const refuse = (reason: string) => {
      this.#logger.debug("peer connection refused", { addr: address, reason });
      connection.close();
    };
    if (this.#state !== "running") return refuse("not running");
    if (!this.#addressAllowed(address)) return refuse("address not allowed");
    const counts = { fromAddress: 0, pending: 0 };
    for (const link of this.#links) {
      if (link.connection.remoteAddress === address) counts.fromAddress++;
      if (link.state === "handshake") counts.pending++;
    }
    const refusal = admissionRefusal(counts, {
      maxLinksPerAddress: this.#options.maxLinksPerAddress ??
        DEFAULT_ADMISSION_LIMITS.maxLinksPerAddress,
      maxPendingHandshakes: this.#options.maxPendingHandshakes ??
        DEFAULT_ADMISSION_LIMITS.maxPendingHandshakes,
    });
    if (refusal !== null) return refuse(refusal);
    this.#startLink(connection, "in");
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
    const selfId = this.#options.identity.nodeId;
    if (this.#state !== "running") return "node stopping";
    if (remote.nodeId === selfId) return "own node id";
    const node = this.#nodes.get(remote.nodeId);
    const current = node?.link;
    if (!node || !current) return null;
    const lower = selfId < remote.nodeId ? selfId : remote.nodeId;
    if (preferredConnection(current.initiator, link.initiator, lower) === "current") {
      return DUPLICATE_LINK;
    }
    node.swapping = true;
    node.link = undefined;
    // Frames the peer sent on it before it sees our BYE still arrive and are dispatched.
    this.#retiring.add(current);
    current.closed.then(() => this.#retiring.delete(current));
    current.retire(DUPLICATE_LINK);
    return null;
  }

  #linkUp(link: Link): void {
    const remote = link.remote!;
    const now = this.#clock.now();
    const wasLinked = this.#isLinked(remote.nodeId); // a swap: no up event
    let node = this.#nodes.get(remote.nodeId);
    if (!node) {
      node = {
        id: remote.nodeId,
        since: now,
        lastSeen: now,
        last: { bytesIn: 0, bytesOut: 0, framesIn: 0, framesOut: 0, rttMs: null },
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
    const target = this.#targetOfLink.get(link);
    if (target) {
      target.learnedId = remote.nodeId;
      target.upAt = now;
      target.lastError = null;
    }
    // Every target wanting this node is satisfied now, whichever side dialed.
    for (const other of this.#targets.values()) {
      if (this.#targetNodeId(other) === node.id && !other.abort && !other.link) {
        if (other.timer !== undefined) this.#clock.clearTimeout(other.timer);
        other.timer = undefined;
        this.#setTarget(other, "satisfied");
      }
    }
    if (target) this.#setTarget(target, "satisfied");
    const fields = {
      peer: node.id,
      name: node.name,
      addr: node.address,
      dir: link.direction,
      app: remote.appVersion,
    };
    if (wasLinked) {
      this.#logger.debug("peer link replaced", fields);
      this.#changed();
      // Not down and up for the status table, but a new channel for the domain modules: the
      // peer may have seen the old connection fail (reset before our BYE arrived) and dropped
      // its state for us. Link-up handlers greet again (capability, sync pull); idempotent.
      this.#hub.linkUp(this.#ref(node));
      return;
    }
    node.since = now;
    this.#logger.info("peer link up", fields);
    this.#changed();
    this.#hub.linkUp(this.#ref(node));
  }

  #linkDown(link: Link, down: LinkDown): void {
    this.#links.delete(link);
    const target = this.#targetOfLink.get(link);
    this.#targetOfLink.delete(link);
    const remoteId = link.remote?.nodeId ?? null;
    const node = remoteId === null ? undefined : this.#nodes.get(remoteId);
    if (node?.link === link) {
      node.link = undefined;
      this.#keepLastStats(node, link);
      node.lastError = down.reason;
      if (down.cause === "bye" && down.byeReason === DUPLICATE_LINK && this.#state === "running") {
        // The peer keeps another connection to us; expect it to come up here shortly.
        node.downGrace = this.#clock.setTimeout(() => {
          node.downGrace = undefined;
          this.#nodeLost(node, down, link);
        }, this.#options.handshakeTimeoutMs ?? 5_000);
      } else {
        this.#nodeLost(node, down, link);
      }
    } else {
      // A connection that never became (or no longer was) the node's link.
      this.#logger.debug("peer connection closed", {
        peer: remoteId ?? undefined,
        addr: link.connection.remoteAddress,
        reason: down.reason,
      });
    }
    if (target) {
      target.link = undefined;
      if (target.upAt !== undefined) {
        if (this.#clock.now() - target.upAt >= (this.#options.stableLinkMs ?? 10_000)) {
          target.attempt = 0;
        }
        target.upAt = undefined;
      }
      if (down.reason === "own node id" || link.remote?.nodeId === this.#options.identity.nodeId) {
        this.#logger.info("peer address is this node; not dialing it", {
          target: `${target.host}:${target.port}`,
        });
        this.#cancelTarget(target);
        this.#targets.delete(target.key);
        this.#changed();
      } else if (this.#targets.get(target.key) === target && this.#state === "running") {
        if (remoteId !== null && this.#isLinked(remoteId)) this.#setTarget(target, "satisfied");
        else if (!target.timer) this.#retry(target, down.wasUp ? null : down.reason);
      }
    }
  }

  #nodeLost(node: NodeRecord, down: LinkDown, link: Link): void {
    node.since = this.#clock.now();
    const fields = { peer: node.id, name: node.name, addr: link.connection.remoteAddress };
    if (down.cause === "protocol") {
      this.#logger.warn("peer link down", { ...fields, reason: down.reason });
    } else if (this.#state === "closed") {
      this.#logger.debug("peer link down", { ...fields, reason: down.reason });
    } else this.#logger.info("peer link down", { ...fields, reason: down.reason });
    // A peer that said goodbye and that nothing wants any more (discovery forgot it, it is
    // not static) leaves the table at once instead of lingering as lost.
    if (down.cause === "bye" && !this.#wantedIds().has(node.id)) this.#nodes.delete(node.id);
    this.#changed();
    if (this.#state === "running") this.#reviewTargets(node.id);
    this.#hub.linkDown(this.#ref(node));
  }

  #keepLastStats(node: NodeRecord, link: Link): void {
    const { bytesIn, bytesOut, framesIn, framesOut, rttMs, lastSeen } = link.stats;
    node.last = { bytesIn, bytesOut, framesIn, framesOut, rttMs };
    node.lastSeen = lastSeen;
  }

  #clearGrace(node: NodeRecord): void {
    if (node.downGrace !== undefined) this.#clock.clearTimeout(node.downGrace);
    node.downGrace = undefined;
  }

  #nodeStatus(node: NodeRecord): PeerStatus {
    const link = node.link;
    let state: PeerState = "lost";
    let since = node.since;
    let lastError = link ? null : node.lastError;
    if (link || node.swapping || node.downGrace !== undefined) {
      state = "up";
    } else {
      // Down: show the most hopeful target (connecting beats backoff) and its latest error.
      for (const target of this.#targets.values()) {
        if (this.#targetNodeId(target) !== node.id) continue;
        if (target.state === "connecting" || (target.state === "backoff" && state === "lost")) {
          state = target.state;
          since = target.since;
          if (target.lastError !== null) lastError = target.lastError;
        }
      }
    }
    const stats = link ? link.stats : null;
    return {
      id: node.id,
      name: node.name,
      address: node.address,
      peerPort: node.peerPort,
      httpPort: node.httpPort,
      state,
      since,
      lastSeen: stats ? stats.lastSeen : node.lastSeen,
      rttMs: stats ? stats.rttMs : node.last.rttMs,
      hasLlm: node.hasLlm,
      direction: node.direction,
      bytesIn: stats ? stats.bytesIn : node.last.bytesIn,
      bytesOut: stats ? stats.bytesOut : node.last.bytesOut,
      framesIn: stats ? stats.framesIn : node.last.framesIn,
      framesOut: stats ? stats.framesOut : node.last.framesOut,
      lastError,
    };
  }

  /** A method, so TypeScript does not narrow the state across awaits. */
  #running(): boolean {
    return this.#state === "running";
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
