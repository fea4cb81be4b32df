/**
 * Records a node's live events (`/api/events`) with arrival times: its peer tables, for
 * discovery timing, and the messages it stores, for propagation timing.
 */
import type { PeerEntry, TimedPeers } from "./mesh_views.ts";
import { type EventSubscription, subscribeEvents } from "./sse.ts";

export interface TimedMessage {
  atMs: number;
  id: string;
  content: string;
}

export class NodeEvents {
  readonly peers: TimedPeers[] = [];
  readonly messages: TimedMessage[] = [];
  #subscription: EventSubscription;
  /** Content → callbacks waiting for a message with that content. */
  #waiting = new Map<string, (() => void)[]>();

  private constructor(baseUrl: string) {
    this.#subscription = subscribeEvents(baseUrl, (event, atMs) => {
      if (event.event === "peers") {
        const peers = JSON.parse(event.data) as PeerEntry[];
        this.peers.push({ atMs, peers: peers.map(({ id, state }) => ({ id, state })) });
      } else if (event.event === "message") {
        const { message } = JSON.parse(event.data) as { message: { id: string; content: string } };
        this.messages.push({ atMs, id: message.id, content: message.content });
        for (const wake of this.#waiting.get(message.content) ?? []) wake();
        this.#waiting.delete(message.content);
      }
    });
  }

  /** Subscribes and waits until the stream is open (its first peer table follows at once). */
  static async open(baseUrl: string): Promise<NodeEvents> {
    const events = new NodeEvents(baseUrl);
    await events.#subscription.opened;
    return events;
  }

  /** Arrival time of the first message event whose content is `content`, or null. */
  firstMessage(content: string): number | null {
    return this.messages.find((m) => m.content === content)?.atMs ?? null;
  }

  /** Resolves when a message with this content has arrived; rejects after `timeoutMs`. */
  waitMessage(content: string, timeoutMs: number): Promise<void> {
    if (this.firstMessage(content) !== null) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no message ${JSON.stringify(content)} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      const list = this.#waiting.get(content) ?? [];
      list.push(() => {
        clearTimeout(timer);
        resolve();
      });
      this.#waiting.set(content, list);
    });
  }

  async close(): Promise<void> {
    await this.#subscription.close();
  }
}
