import type { ChatTurn } from "../llm/chat.ts";
import type { ChatMessage } from "../model/conversation.ts";

/**
 * The chat turns an LLM sees for a question: every question up to and including
 * `questionId`, each followed by its last usable answer (a regenerated answer replaces
 * the earlier ones; failed or empty answers are left out).
 */
export function chatTurns(messages: ChatMessage[], questionId: string): ChatTurn[] {
  const turns: ChatTurn[] = [];
  let answer: ChatTurn | null = null;
  const flushAnswer = () => {
    if (answer) turns.push(answer);
    answer = null;
  };
  for (const message of messages) {
    if (message.messageType === "Question") {
      flushAnswer();
      turns.push({ role: "user", content: message.content });
      if (message.id === questionId) return turns;
    } else if (message.content.trim() !== "" && !message.error) {
      answer = { role: "assistant", content: message.content };
    }
  }
  throw new RangeError(`question ${JSON.stringify(questionId)} is not in the conversation`);
}

/** The newest question of an ordered conversation. */
export function lastQuestion(messages: ChatMessage[]): ChatMessage | undefined {
  return messages.findLast((message) => message.messageType === "Question");
}
