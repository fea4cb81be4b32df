/**
 * `neuromesh run MODEL [PROMPT]`: streams an answer of the mesh to the terminal. Without a prompt
 * it is an interactive chat: each line read is a question, answered with the whole conversation
 * so far, until the end of input (Ctrl-D) or `/bye`.
 */
import type { ChatMessage, NodeClient } from "./client.ts";

export interface ChatIo {
  /** Writes answer text as it arrives (stdout). */
  write(text: string): Promise<void>;
  /** One line on stderr (notes, errors). */
  error(line: string): void;
  /** The lines typed or piped in (stdin), without line ends. */
  lines(): AsyncIterable<string>;
  /** True when a person types (stdin is a terminal): show the `>>> ` prompt. */
  interactive: boolean;
}

export const PROMPT = ">>> ";

/** Streams one answer to `io`; returns its text. Throws NodeApiError / NodeUnreachable. */
export async function streamAnswer(
  client: NodeClient,
  model: string,
  messages: readonly ChatMessage[],
  io: ChatIo,
): Promise<string> {
  let answer = "";
  for await (const line of client.chat(model, messages)) {
    const text = line.message?.content ?? "";
    if (text) {
      answer += text;
      await io.write(text);
    }
    if (line.done && line.neuromesh?.failedOver) {
      const hosts = line.neuromesh.hosts.map((h) => h.name).join(" → ");
      io.error(`(a host failed mid-answer; the answer went on: ${hosts})`);
    }
  }
  await io.write(answer.endsWith("\n") ? "" : "\n");
  return answer;
}

export async function runChat(
  client: NodeClient,
  model: string,
  prompt: string | null,
  io: ChatIo,
): Promise<number> {
  if (prompt !== null) {
    await streamAnswer(client, model, [{ role: "user", content: prompt }], io);
    return 0;
  }
  const history: ChatMessage[] = [];
  if (io.interactive) await io.write(PROMPT);
  for await (const line of io.lines()) {
    const question = line.trim();
    if (question === "/bye") break;
    if (question !== "") {
      history.push({ role: "user", content: line });
      history.push({ role: "assistant", content: await streamAnswer(client, model, history, io) });
    }
    if (io.interactive) await io.write(PROMPT);
  }
  if (io.interactive) await io.write("\n");
  return 0;
}
