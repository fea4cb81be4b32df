import type { Logger } from "../log/logger.ts";
import { backoffDelay, type BackoffOptions } from "./backoff.ts";
import type { Clock, TimerHandle } from "../time/clock.ts";
import {
  announceStep,
  attemptAfterLink,
  dialStep,
  firstDialDelay,
  linkEndStep,
  nextOnRing,
  targetKey,
  type WantOptions,
} from "./dial_plan.ts";
import type { Link } from "./link.ts";
import type { LinkDown } from "./link_options.ts";
import type { TargetRow } from "./peer_table.ts";
import type { Connection, Transport } from "./transport.ts";

export interface ConnectOptions extends WantOptions {
  /** Display name until the HELO arrives. */
  name?: string;
  /**
   * The node just restarted (discovery saw a new instance): a link to it is stale, so drop it
   * and dial again now instead of waiting out the heartbeat timeout or a backoff delay.
   */
  restarted?: boolean;
}

/** What the dialer asks of the link manager it serves. */
export interface DialerHost {
  /** Linked, or about to be again (a duplicate swap or its grace period is under way). */
  isLinked(nodeId: string): boolean;
  addressAllowed(address: string): boolean;
  /** Runs the link engine on a connection we dialed. */
  startLink(connection: Connection): Link;
  /** The node announced from `host` restarted: drop its link if it is there (it is stale). */
  dropStaleLink(nodeId: string, host: string): void;
  /** Target states changed (the peer table changed). */
  changed(): void;
}

/** The higher id of a pair waits this long for the lower one's dial (dial_plan.ts). */
export const DEFAULT_DEFER_HIGHER_MS = 3_000;

/**
 * Dials in flight at once. A newcomer in a mesh of 50 would otherwise start 49 TLS handshakes
 * together on a busy core: each would progress slowly, many would hit the connect timeout and
 * be redialed, wasting the work done. In turns, each finishes in a few ms.
 */
export const DEFAULT_MAX_CONCURRENT_DIALS = 4;

/** The TLS handshake of a dial, after its TCP connect (the same bound as a link handshake). */
export const DEFAULT_SECURE_TIMEOUT_MS = 5_000;

export interface DialerOptions {
  /** This node's id: of two nodes that find each other, the lower id dials first. */
  selfId: string;
  /** How long the higher id waits for the lower one's dial. @default {DEFAULT_DEFER_HIGHER_MS} */
  deferHigherMs?: number;
  /** @default {DEFAULT_MAX_CONCURRENT_DIALS} */
  maxConcurrentDials?: number;
  host: DialerHost;
  transport: Transport;
  clock: Clock;
  logger: Logger;
  /** TCP connect must finish within this. */
  connectTimeoutMs: number;
  /**
   * After the connect, the transport's own handshake (TLS) must finish within this.
   * @default {DEFAULT_SECURE_TIMEOUT_MS}
   */
  secureTimeoutMs?: number;
  backoff?: BackoffOptions;
  /** A link up this long resets its target's backoff. */
  stableLinkMs: number;
}

/** Somewhere we dial: a discovered node (keyed by node id) or a static peer (keyed by address). */
interface Target {
  key: string;
  host: string;
  port: number;
  isStatic: boolean;
  expectedId: string | null;
  learnedId: string | null;
  nameHint: string;
  state: TargetRow["state"];
  since: number;
  attempt: number;
  timer?: TimerHandle;
  abort?: AbortController;
  link?: Link;
  upAt?: number;
  lastError: string | null;
}

/**
 * The dial targets of a link manager: dials each wanted node, redials with backoff while it is
 * down, and stands by while it is linked (whichever side dialed). The rules are dial_plan.ts.
 */
export class Dialer {
  readonly #options: DialerOptions;
  readonly #host: DialerHost;
  readonly #clock: Clock;
  #targets = new Map<string, Target>();
  #targetOfLink = new Map<Link, Target>();
  /** Dials under way, and targets due to dial waiting for one of them to end (in order). */
  #inFlight = 0;
  #queued = new Set<Target>();
  #closed = false;

  constructor(options: DialerOptions) {
    this.#options = options;
    this.#host = options.host;
    this.#clock = options.clock;
  }

  /** Wants a link to the node at `host:port` (see LinkManager.connect). */
  connect(host: string, port: number, options: ConnectOptions = {}): void {
    if (this.#closed) return;
    const key = targetKey(host, port, options);
    const existing = this.#targets.get(key);
    const linkedId = existing ? this.#nodeId(existing) : null;
    const announced = { host, port, restarted: options.restarted ?? false };
    const step = announceStep(
      existing,
      announced,
      linkedId !== null && this.#host.isLinked(linkedId),
    );
    if (step === "same") return;
    if (step === "restart") {
      // Only an announcement from the link's own address may cut it: anyone can send one.
      if (linkedId !== null) this.#host.dropStaleLink(linkedId, host);
      if (existing!.timer !== undefined) this.#redialNow(existing!);
      return;
    }
    if (step === "readdress" || step === "move") {
      existing!.host = host;
      existing!.port = port;
      if (step === "move") this.#redialNow(existing!);
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
    this.#host.changed();
    const delay = firstDialDelay(
      this.#options.selfId,
      options,
      this.#options.deferHigherMs ?? DEFAULT_DEFER_HIGHER_MS,
    );
    if (delay > 0) target.timer = this.#clock.setTimeout(() => this.#dial(target), delay);
    else this.#dial(target);
  }

  /** Stops wanting `nodeId` except as a static peer; a link it opened lives on, unredialed. */
  forget(nodeId: string): void {
    for (const target of [...this.#targets.values()]) {
      if (target.isStatic || this.#nodeId(target) !== nodeId) continue;
      this.#cancel(target);
      this.#targets.delete(target.key);
    }
  }

  /** Dials every target waiting to redial `nodeId` now instead of at the end of its backoff. */
  retryNow(nodeId: string): void {
    for (const target of this.#targets.values()) {
      if (this.#nodeId(target) === nodeId && target.timer !== undefined) this.#redialNow(target);
    }
  }

  /** Whether some target wants `nodeId`. */
  wants(nodeId: string): boolean {
    for (const target of this.#targets.values()) if (this.#nodeId(target) === nodeId) return true;
    return false;
  }

  /** A link came up to `nodeId`: every target wanting that node is satisfied, whoever dialed. */
  linkUp(link: Link, nodeId: string): void {
    const own = this.#targetOfLink.get(link);
    if (own) {
      own.learnedId = nodeId;
      own.upAt = this.#clock.now();
      own.lastError = null;
    }
    for (const target of this.#targets.values()) {
      if (this.#nodeId(target) !== nodeId || target.abort || target.link) continue;
      this.#queued.delete(target);
      if (target.timer !== undefined) this.#clock.clearTimeout(target.timer);
      target.timer = undefined;
      this.#setState(target, "satisfied");
    }
    if (own) this.#setState(own, "satisfied");
  }

  /** A link ended: the target that dialed it (if any) redials, stands by, or is dropped. */
  linkDown(link: Link, down: LinkDown, ownNode: boolean): void {
    const target = this.#targetOfLink.get(link);
    if (!target) return;
    this.#targetOfLink.delete(link);
    target.link = undefined;
    const now = this.#clock.now();
    target.attempt = attemptAfterLink(
      target.attempt,
      target.upAt,
      now,
      this.#options.stableLinkMs,
    );
    target.upAt = undefined;
    const remoteId = link.remote?.nodeId ?? null;
    const step = linkEndStep({
      ownNode,
      wanted: this.#wanted(target),
      nodeLinked: remoteId !== null && this.#host.isLinked(remoteId),
      redialScheduled: target.timer !== undefined,
    });
    if (step === "drop") {
      this.#options.logger.info("peer address is this node; not dialing it", {
        target: `${target.host}:${target.port}`,
      });
      this.#cancel(target);
      this.#targets.delete(target.key);
      this.#host.changed();
    } else if (step === "satisfied") this.#setState(target, "satisfied");
    else if (step === "retry") this.#retry(target, down.wasUp ? null : down.reason);
  }

  /** The node's link ended for good: targets wanting it and standing by redial. */
  nodeLost(nodeId: string): void {
    for (const target of this.#targets.values()) {
      if (this.#nodeId(target) !== nodeId) continue;
      if (target.timer !== undefined || target.abort || target.link) continue;
      if (this.#host.isLinked(nodeId)) this.#setState(target, "satisfied");
      else this.#retry(target, null);
    }
  }

  /** The targets as the peer table shows them. */
  rows(): TargetRow[] {
    return [...this.#targets.values()].map((t) => ({
      nodeId: this.#nodeId(t),
      name: t.nameHint,
      host: t.host,
      port: t.port,
      state: t.state,
      since: t.since,
      lastError: t.lastError,
    }));
  }

  /** Stops every dial and timer; nothing is dialed after this. */
  close(): void {
    this.#closed = true;
    for (const target of this.#targets.values()) this.#cancel(target);
  }

  async #dial(target: Target): Promise<void> {
    target.timer = undefined;
    const id = this.#nodeId(target);
    const step = dialStep({
      wanted: this.#wanted(target),
      nodeLinked: id !== null && this.#host.isLinked(id),
      dialingElsewhere: id !== null && this.#dialingElsewhere(id, target),
    });
    if (step === "stop") return;
    if (step === "satisfied") return this.#setState(target, "satisfied");
    if (step === "wait") return this.#retry(target, null); // look again after a backoff
    this.#setState(target, "connecting");
    if (this.#inFlight >= (this.#options.maxConcurrentDials ?? DEFAULT_MAX_CONCURRENT_DIALS)) {
      this.#queued.add(target);
      return;
    }
    this.#inFlight++;
    try {
      await this.#attempt(target);
    } finally {
      this.#inFlight--;
      this.#dialNext();
    }
  }

  /** Starts the next queued dial on the ring, if any (each decides again whether it is due). */
  #dialNext(): void {
    const next = nextOnRing(this.#options.selfId, this.#queued, (t) => this.#nodeId(t));
    if (next === undefined) return;
    this.#queued.delete(next);
    void this.#dial(next);
  }

  async #attempt(target: Target): Promise<void> {
    const abort = new AbortController();
    target.abort = abort;
    // Two bounds: the TCP connect (a SYN on a LAN), then the transport's handshake (TLS), which
    // is CPU work on both ends and may take longer on a busy machine without the peer being gone.
    const connectMs = this.#options.connectTimeoutMs;
    const secureMs = this.#options.secureTimeoutMs ?? DEFAULT_SECURE_TIMEOUT_MS;
    let timedOut = `connect timed out after ${connectMs} ms`;
    let timer = this.#clock.setTimeout(() => abort.abort(), connectMs);
    const connected = () => {
      this.#clock.clearTimeout(timer);
      timedOut = `secure handshake timed out after ${secureMs} ms`;
      timer = this.#clock.setTimeout(() => abort.abort(), secureMs);
    };
    let connection: Connection;
    try {
      connection = await this.#options.transport.dial(target.host, target.port, abort.signal, {
        expectedNodeId: target.expectedId ?? undefined,
        onConnected: connected,
      });
    } catch (error) {
      if (target.abort !== abort) return; // cancelled: forgotten, moved or shutting down
      const reason = abort.signal.aborted
        ? timedOut
        : `connect failed: ${(error as Error).message}`;
      this.#retry(target, reason);
      return;
    } finally {
      this.#clock.clearTimeout(timer);
    }
    if (target.abort !== abort || !this.#wanted(target)) {
      connection.close();
      return;
    }
    target.abort = undefined;
    if (!this.#host.addressAllowed(connection.remoteAddress)) {
      connection.close();
      this.#retry(target, `address ${connection.remoteAddress} is not allowed`);
      return;
    }
    const link = this.#host.startLink(connection);
    this.#targetOfLink.set(link, target);
    target.link = link;
  }

  #dialingElsewhere(nodeId: string, except: Target): boolean {
    for (const target of this.#targets.values()) {
      if (target !== except && this.#nodeId(target) === nodeId) {
        if (target.abort || target.link) return true;
      }
    }
    return false;
  }

  #retry(target: Target, reason: string | null): void {
    if (!this.#wanted(target)) return;
    if (reason !== null) {
      target.lastError = reason;
      const fields = { target: `${target.host}:${target.port}`, reason };
      if (target.attempt === 0) this.#options.logger.info("peer unreachable, will retry", fields);
      else this.#options.logger.debug("peer still unreachable", fields);
    }
    const delay = backoffDelay(target.attempt++, this.#options.backoff);
    this.#setState(target, "backoff");
    target.timer = this.#clock.setTimeout(() => this.#dial(target), delay);
  }

  #redialNow(target: Target): void {
    this.#cancel(target);
    target.attempt = 0;
    this.#dial(target);
  }

  #cancel(target: Target): void {
    this.#queued.delete(target);
    if (target.timer !== undefined) this.#clock.clearTimeout(target.timer);
    target.timer = undefined;
    const abort = target.abort;
    target.abort = undefined;
    abort?.abort();
  }

  #setState(target: Target, state: Target["state"]): void {
    if (target.state === state) return;
    target.state = state;
    target.since = this.#clock.now();
    this.#host.changed();
  }

  /** Still registered and the dialer not closed. */
  #wanted(target: Target): boolean {
    return !this.#closed && this.#targets.get(target.key) === target;
  }

  #nodeId(target: Target): string | null {
    return target.learnedId ?? target.expectedId;
  }
}
