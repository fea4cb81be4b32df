/**
 * Live events for the UI (served as Server-Sent Events at GET /api/events).
 * Modules publish small JSON events; the HTTP layer fans them out to every open page.
 */
export type LiveEventType =
  | "conversation" // a conversation was created or its title/sharing/updatedAt changed: ConversationSummary
  | "conversation-deleted" // { id }
  | "message" // a message was added or grew: { conversationId, message }
  | "peers" // the peer table changed: PeerStatus[]
  | "models" // the mesh model list changed: MeshModel[]
  | "node"; // this node's own status changed

export interface LiveEvent {
  type: LiveEventType;
  data: unknown;
}

export class EventHub {
  #subscribers = new Set<(event: LiveEvent) => void>();

  publish(type: LiveEventType, data: unknown): void {
    for (const subscriber of this.#subscribers) subscriber({ type, data });
  }

  subscribe(subscriber: (event: LiveEvent) => void): () => void {
    this.#subscribers.add(subscriber);
    return () => this.#subscribers.delete(subscriber);
  }

  get subscriberCount(): number {
    return this.#subscribers.size;
  }
}
