/**
 * A short title written by the model for a conversation, from its first question and answer
 * (the page asks for it when the person switched "Short titles by the model" on). The request
 * and the cleaning of the reply are pure; `modelTitle` runs the request.
 */
import type { ChatRequest, ChatService } from "../llm/chat.ts";
import { MAX_TITLE_CHARS } from "../model/conversation.ts";
import { plainPreview } from "../model/plain_text.ts";

/** Characters of the first answer the model reads for a title. */
const ANSWER_CHARS = 1500;
const TITLE_CHARS = 60;

export const TITLE_INSTRUCTION =
  "Write a title of at most six words for this conversation. Reply with the title only: no " +
  "quotes, no markdown, no full stop.";

export function titleRequest(
  question: string,
  answer: string,
  model: string | undefined,
  conversationId: string,
): ChatRequest {
  return {
    model,
    conversationId,
    messages: [
      { role: "system", content: TITLE_INSTRUCTION },
      { role: "user", content: `${question}\n\n---\n\n${answer.slice(0, ANSWER_CHARS)}` },
    ],
    options: { temperature: 0.2, num_predict: 24 },
  };
}

/** The reply as a title: its first line, without markdown, quotes or a closing full stop. */
export function cleanTitle(reply: string): string | null {
  const line = reply.trim().split("\n").find((l) => l.trim() !== "") ?? "";
  const plain = plainPreview(line).replace(/^(title\s*:\s*)/i, "")
    .replace(/^["'“”‘’«»]+|["'“”‘’«».]+$/g, "").trim();
  if (plain === "") return null;
  const short = plain.length <= TITLE_CHARS
    ? plain
    : `${plain.slice(0, TITLE_CHARS - 1).trimEnd()}…`;
  return short.slice(0, MAX_TITLE_CHARS);
}

/** Asks the model for a title; null when it gave nothing usable. */
export async function modelTitle(
  chat: ChatService,
  request: ChatRequest,
  signal?: AbortSignal,
): Promise<string | null> {
  let reply = "";
  for await (const chunk of chat.chat(request, signal)) {
    reply += chunk.content;
    if (chunk.done || reply.length > 400) break;
  }
  return cleanTitle(reply);
}
