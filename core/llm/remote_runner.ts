import type { PeerRef } from "../peers/bus.ts";
import type { Clock } from "../time/clock.ts";
import type { BackendChatRequest, BackendChunk } from "./backend.ts";
import type { HostTable } from "./host_table.ts";
import { HostFailure, type InferenceClient } from "./inference_client.ts";
import type { HostCandidate } from "./router.ts";

export interface RemoteRunnerOptions {
  hosts: HostTable;
  client: InferenceClient;
  clock: Clock;
  /** The host table changed (a stream opened or closed, access refused). */
  changed: () => void;
}

/**
 * Runs a chat on a linked peer: asks for access unless a grant or refusal is cached (one
 * request per peer at a time), then streams the answer over the link while the host table
 * counts the open stream and learns the host's latency and health.
 */
export class RemoteRunner {
  readonly #pendingAccess = new Map<string, Promise<void>>();

  constructor(private readonly options: RemoteRunnerOptions) {}

  async *run(
    host: HostCandidate,
    request: BackendChatRequest,
    signal?: AbortSignal,
  ): AsyncIterable<BackendChunk> {
    const { hosts, client, clock } = this.options;
    const peer = hosts.peer(host.id);
    if (!peer) throw new HostFailure(`${host.name} is no longer linked`, "link_down", false);
    // Counted before the first await, so concurrent requests routed right after see this one.
    hosts.adjustOpen(peer.id, 1);
    try {
      await this.#ensureAccess(peer, request.model);
      const access = hosts.accessOf(peer.id);
      if (access.state === "refused") {
        throw new HostFailure(
          `${peer.name} refused access: ${access.message ?? access.reason}`,
          access.reason ?? "forbidden",
          false,
        );
      }
      const sentAt = clock.now();
      let first = true;
      for await (const event of client.stream(peer, request, signal)) {
        if (first) hosts.recordLatency(peer.id, clock.now() - sentAt);
        first = false;
        if (event.type === "text") {
          yield {
            content: event.content,
            thinking: event.thinking,
            ...(event.toolCalls ? { toolCalls: event.toolCalls } : {}),
            done: false,
          };
        } else {
          hosts.recordSuccess(peer.id);
          yield {
            content: "",
            done: true,
            doneReason: event.done.doneReason,
            stats: event.done.stats,
          };
          return;
        }
      }
    } finally {
      hosts.adjustOpen(peer.id, -1);
      this.options.changed();
    }
  }

  /** Asks the peer for access unless a grant or refusal is cached; one request per peer at a time. */
  async #ensureAccess(peer: PeerRef, model: string): Promise<void> {
    const { hosts, client } = this.options;
    if (hosts.accessOf(peer.id).state !== "unknown") return;
    let pending = this.#pendingAccess.get(peer.id);
    if (!pending) {
      pending = client.requestAccess(peer, model).then((answer) => {
        if (answer.ttlMs > 0) {
          hosts.setAccess(peer.id, answer.granted, answer.ttlMs, answer.reason, answer.message);
        }
        if (!answer.granted && answer.ttlMs === 0) {
          throw new HostFailure(
            answer.message ?? `${peer.name} did not grant access`,
            answer.reason ?? "upstream",
            false,
          );
        }
        if (!answer.granted) this.options.changed();
      }).finally(() => this.#pendingAccess.delete(peer.id));
      this.#pendingAccess.set(peer.id, pending);
    }
    await pending;
  }
}
