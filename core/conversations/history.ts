import type { ChatRequest, ChatTurn } from "../llm/chat.ts";
import type { ChatMessage, ChatSettings } from "../model/conversation.ts";

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

/** What the LLM is asked for a question of a conversation, with the chat's own settings. */
export interface AnswerQuestion {
  conversationId: string;
  /** The shown branch up to and including the question. */
  messages: ChatMessage[];
  questionId: string;
  model: string | undefined;
  settings?: ChatSettings;
}

/**
 * The chat request for a question: the turns so far, the chat's system prompt as the first
 * turn, and its temperature and context length as Ollama options, which travel with the request
 * to whichever host serves it (the local Ollama or a peer's).
 */
export function answerRequest(question: AnswerQuestion): ChatRequest {
  const { systemPrompt, temperature, contextLength } = question.settings ?? {};
  const turns = chatTurns(question.messages, question.questionId);
  if (systemPrompt?.trim()) turns.unshift({ role: "system", content: systemPrompt });
  const options: Record<string, unknown> = {};
  if (temperature !== undefined) options.temperature = temperature;
  if (contextLength !== undefined) options.num_ctx = contextLength;
  return {
    model: question.model,
    messages: turns,
    conversationId: question.conversationId,
    ...(Object.keys(options).length > 0 ? { options } : {}),
  };
}
