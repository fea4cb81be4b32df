/**
 * A small client of a node's conversations API, for end-to-end tests that drive real nodes
 * (through a lab forwarder or on loopback): create, ask, read, and compare conversations.
 */
import assert from "node:assert/strict";
import { NdjsonReader } from "./llm_stream.ts";

export interface ApiMessage {
  id: string;
  conversationId: string;
  content: string;
  timestamp: string;
  sender: string;
  messageType: "Question" | "Response";
  complete: boolean;
  error?: string;
  [field: string]: unknown;
}

export interface ApiConversation {
  id: string;
  title: string;
  originNode: string;
  originName: string;
  readOnly: boolean;
  messages: ApiMessage[];
  [field: string]: unknown;
}

interface Summary {
  id: string;
  title: string;
  originNode: string;
  readOnly: boolean;
}

export interface ApiList {
  local: Summary[];
  received: { peer: { id: string; name: string }; conversations: Summary[] }[];
}

const JSON_HEADERS = { "content-type": "application/json" };

/** Creates a conversation; resolves once the node answered 201 (the creation is durable). */
export async function createConversation(url: string, title?: string): Promise<ApiConversation> {
  const res = await fetch(`${url}/api/conversations`, {
    method: "POST",
    headers: JSON_HEADERS,
    body: JSON.stringify(title === undefined ? {} : { title }),
  });
  const body = await res.text();
  assert.equal(res.status, 201, `create conversation at ${url}: HTTP ${res.status} ${body}`);
  return JSON.parse(body);
}

/** The whole answer stream of one question, in order. */
export async function ask(
  url: string,
  conversationId: string,
  content: string,
): Promise<Record<string, unknown>[]> {
  const answer = await startAsking(url, conversationId, content);
  const events = [answer.question];
  for (let line = await answer.reader.next(); line; line = await answer.reader.next()) {
    events.push(line);
  }
  return events;
}

/** Asks a question and returns the id of the stored question (its `question` line). */
export async function askQuestion(
  url: string,
  conversationId: string,
  content: string,
): Promise<string> {
  const events = await ask(url, conversationId, content);
  return (events[0].message as ApiMessage).id;
}

/**
 * Asks a question and resolves as soon as the node acknowledged it (the `question` line comes
 * after the question is durably stored). The rest of the stream is drained in the background;
 * `drained` settles when it ends (or fails, e.g. because the node was killed).
 */
export async function askUntilAcknowledged(
  url: string,
  conversationId: string,
  content: string,
): Promise<{ id: string; drained: Promise<void> }> {
  const answer = await startAsking(url, conversationId, content);
  const drained = (async () => {
    for (let i = 0; i < 10_000 && await answer.reader.next(); i++) { /* discard */ }
  })().catch(() => {});
  return { id: (answer.question.message as ApiMessage).id, drained };
}

async function startAsking(url: string, conversationId: string, content: string) {
  const res = await fetch(`${url}/api/conversations/${conversationId}/messages`, {
    method: "POST",
    headers: JSON_HEADERS,
    body: JSON.stringify({ content }),
  });
  if (res.status !== 200 || !res.body) {
    throw new Error(`ask in ${conversationId} at ${url}: HTTP ${res.status} ${await res.text()}`);
  }
  const reader = new NdjsonReader(res.body);
  const question = await reader.next();
  if (question?.type !== "question") {
    await reader.cancel();
    throw new Error(
      `ask in ${conversationId}: first line is not the question: ${JSON.stringify(question)}`,
    );
  }
  return { question, reader };
}

/** A conversation with its messages, or null when the node does not hold it. */
export async function getConversation(url: string, id: string): Promise<ApiConversation | null> {
  const res = await fetch(`${url}/api/conversations/${id}`);
  if (res.status === 404) {
    await res.body?.cancel();
    return null;
  }
  const body = await res.text();
  assert.equal(res.status, 200, `GET conversation ${id} at ${url}: HTTP ${res.status} ${body}`);
  return JSON.parse(body);
}

export async function listConversations(url: string): Promise<ApiList> {
  const res = await fetch(`${url}/api/conversations`);
  const body = await res.text();
  assert.equal(res.status, 200, `GET /api/conversations at ${url}: HTTP ${res.status} ${body}`);
  return JSON.parse(body);
}

/** Every conversation a node lists (its own and received ones), with messages, by id. */
export async function allConversations(url: string): Promise<ApiConversation[]> {
  const list = await listConversations(url);
  const ids = [...list.local, ...list.received.flatMap((group) => group.conversations)]
    .map((summary) => summary.id).sort();
  const conversations = await Promise.all(ids.map((id) => getConversation(url, id)));
  return conversations.filter((c): c is ApiConversation => c !== null);
}

/** Ids of the messages of a conversation a node holds, in the node's order ([] when absent). */
export async function messageIds(url: string, conversationId: string): Promise<string[]> {
  return (await getConversation(url, conversationId))?.messages.map((m) => m.id) ?? [];
}

/**
 * A conversation as every node should hold it: `readOnly` is the one field that depends on
 * which node is looking (the author sees its own conversation as writable).
 */
export function replicated(conversation: ApiConversation): Omit<ApiConversation, "readOnly"> {
  const { readOnly: _readOnly, ...rest } = conversation;
  return rest;
}

/** Message ids that occur more than once in a list. */
export function duplicates(ids: string[]): string[] {
  const seen = new Set<string>();
  return [...new Set(ids.filter((id) => seen.has(id) || !seen.add(id)))];
}
