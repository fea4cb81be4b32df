import assert from "node:assert/strict";
import { type ChatChunk, ChatError } from "../llm/chat.ts";
import { finalChunk, HELLO_SCRIPT, HOST_A, HOST_B, piece } from "../llm/testing/scripted_llm.ts";
import {
  drainChat,
  ndjson,
  type StartedChat,
  streamChat,
  type StreamWriter,
  Tally,
} from "./chat_stream.ts";

/** A chat that already produced its first chunk, then plays the rest of `script`. */
function started(script: (ChatChunk | Error)[]): StartedChat & { stopped: () => boolean } {
  const [first, ...rest] = script as ChatChunk[];
  let returned = false;
  const iterator: AsyncIterator<ChatChunk> = {
    next() {
      const step = rest.shift();
      if (step instanceof Error) return Promise.reject(step);
      return Promise.resolve(
        step ? { done: false, value: step } : { done: true, value: undefined },
      );
    },
    return() {
      returned = true;
      return Promise.resolve({ done: true, value: undefined });
    },
  };
  return {
    first,
    iterator,
    abort: new AbortController(),
    startedAt: performance.now(),
    stopped: () => returned,
  };
}

const textWriter: StreamWriter = {
  contentType: "application/x-ndjson",
  encode: ndjson,
  chunk: (
    chunk,
  ) => (chunk.content || chunk.done ? [{ text: chunk.content, done: chunk.done }] : []),
  error: (kind, message) => ({ kind, message }),
  end: "END\n",
};

Deno.test("Tally joins the text and names each host once, noting a failover", () => {
  const tally = new Tally();
  for (const chunk of HELLO_SCRIPT) tally.add(chunk);
  assert.equal(tally.content, "Hello!");
  assert.equal(tally.last, HELLO_SCRIPT.at(-1));
  assert.deepEqual(tally.trailer(), {
    hosts: [
      { nodeId: HOST_A.nodeId, name: HOST_A.nodeName, model: HOST_A.model },
      { nodeId: HOST_B.nodeId, name: HOST_B.nodeName, model: HOST_B.model },
    ],
    failedOver: true,
    failovers: [{ nodeId: HOST_A.nodeId, name: HOST_A.nodeName, reason: "error" }],
  });
});

Deno.test("drainChat() reads the whole answer, and refuses one without a final chunk", async () => {
  assert.equal((await drainChat(started(HELLO_SCRIPT))).content, "Hello!");
  await assert.rejects(
    () => drainChat(started([piece("Hel"), piece("lo")])),
    (error: unknown) => error instanceof ChatError && error.kind === "upstream",
  );
});

Deno.test("streamChat() writes each chunk, the end marker, or an error object as the last line", async () => {
  const whole = await new Response(streamChat(started(HELLO_SCRIPT), textWriter)).text();
  assert.equal(
    whole,
    '{"text":"Hel","done":false}\n{"text":"lo","done":false}\n{"text":"!","done":false}\n' +
      '{"text":"","done":true}\nEND\n',
  );
  const failed = started([piece("Hel"), new ChatError("every host failed", "no_host")]);
  assert.equal(
    await new Response(streamChat(failed, textWriter)).text(),
    '{"text":"Hel","done":false}\n{"kind":"no_host","message":"every host failed"}\n',
  );
  const cut = started([piece("Hel")]);
  assert.match(await new Response(streamChat(cut, textWriter)).text(), /"kind":"upstream"/);
});

Deno.test("streamChat() cancelled by its reader aborts the chat and ends the iterator", async () => {
  const chat = started([piece("a"), piece("b"), finalChunk()]);
  const reader = streamChat(chat, textWriter).getReader();
  await reader.read();
  await reader.cancel();
  assert.equal(chat.abort.signal.aborted, true);
  assert.equal(chat.stopped(), true);
});
