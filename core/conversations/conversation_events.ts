import type { EventHub } from "../events/hub.ts";
import type { ChatMessage } from "../model/conversation.ts";
import type { ConversationStore } from "../store/store.ts";
import { conversationIdOf } from "../sync/merge.ts";
import type { SyncRecord } from "../sync/records.ts";
import { toSummary } from "./views.ts";

/** More records than this from one frame publish conversation summaries, not each message. */
const MESSAGE_EVENT_BATCH_LIMIT = 50;

/** The live events of conversations for the page: summaries, messages, deletions. */
export class ConversationEvents {
  constructor(
    private readonly events: EventHub,
    private readonly store: ConversationStore,
    private readonly self: string,
  ) {}

  summary(id: string): void {
    const stored = this.store.summary(id);
    if (stored) {
      const summary = toSummary(stored, this.self, (id) => this.store.messages(id));
      this.events.publish("conversation", summary);
    }
  }

  message(message: ChatMessage): void {
    this.events.publish("message", { conversationId: message.conversationId, message });
  }

  deleted(id: string): void {
    this.events.publish("conversation-deleted", { id });
  }

  /** Records from peers (or an original peer's push) that changed the store. */
  received(records: readonly SyncRecord[]): void {
    const touched = new Set<string>();
    for (const record of records) {
      if (record.type === "tombstone") {
        this.deleted(record.value.conversationId);
        continue;
      }
      if (record.type === "message") {
        touched.add(record.value.conversationId);
        if (records.length <= MESSAGE_EVENT_BATCH_LIMIT) this.message(record.value);
      } else {
        touched.add(conversationIdOf(record));
      }
    }
    for (const id of touched) this.summary(id);
  }
}
