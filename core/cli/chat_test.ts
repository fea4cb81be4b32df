import assert from "node:assert/strict";
import { type ChatIo, PROMPT, runChat } from "./chat.ts";
import { type ChatMessage, NodeClient } from "./client.ts";
import { ndjson, startFakeNode } from "./testing/fake_node.ts";

/** A node answering "answer N" in two pieces, N counting the messages it was sent. */
function echoNode(failedOver = false) {
  return startFakeNode({
    "POST /api/chat": (body) => {
      const { messages } = body as { messages: ChatMessage[] };
      return ndjson([
        { message: { content: "answer " }, done: false },
        { message: { content: String(messages.length) }, done: false },
        {
          message: { content: "" },
          done: true,
          neuromesh: { hosts: [{ name: "desk" }, { name: "laptop" }], failedOver },
        },
      ]);
    },
  });
}

function fakeIo(input: string[], interactive = false) {
  const out: string[] = [];
  const err: string[] = [];
  const io: ChatIo = {
    write: (text) => Promise.resolve(void out.push(text)),
    error: (line) => void err.push(line),
    async *lines() {
      yield* input;
    },
    interactive,
  };
  return { io, out, err };
}

Deno.test("run MODEL PROMPT streams one answer and ends the line", async () => {
  await using node = echoNode();
  const { io, out, err } = fakeIo([]);
  assert.equal(await runChat(new NodeClient({ url: node.url }), "llama3.2", "why?", io), 0);
  assert.deepEqual(out, ["answer ", "1", "\n"]);
  assert.deepEqual(err, []);
  assert.deepEqual(node.requests.map((r) => r.body), [
    { model: "llama3.2", messages: [{ role: "user", content: "why?" }], stream: true },
  ]);
});

Deno.test("run MODEL without a prompt chats line by line, keeping the history, until end of input", async () => {
  await using node = echoNode();
  const { io, out } = fakeIo(["hi", "   ", "and then?", "/bye", "never sent"]);
  assert.equal(await runChat(new NodeClient({ url: node.url }), "m", null, io), 0);
  assert.equal(out.join(""), "answer 1\nanswer 3\n");
  const sent = node.requests.map((r) => (r.body as { messages: ChatMessage[] }).messages);
  assert.deepEqual(sent, [
    [{ role: "user", content: "hi" }],
    [
      { role: "user", content: "hi" },
      { role: "assistant", content: "answer 1" },
      { role: "user", content: "and then?" },
    ],
  ]);
});

Deno.test("an interactive chat shows the prompt; a failover is noted on stderr", async () => {
  await using node = echoNode(true);
  const { io, out, err } = fakeIo(["hi"], true);
  await runChat(new NodeClient({ url: node.url }), "m", null, io);
  assert.equal(out.join(""), `${PROMPT}answer 1\n${PROMPT}\n`);
  assert.deepEqual(err, ["(a host failed mid-answer; the answer went on: desk → laptop)"]);
});
