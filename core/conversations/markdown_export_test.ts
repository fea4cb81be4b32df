import assert from "node:assert/strict";
import type { ChatMessage, Conversation } from "../model/conversation.ts";
import { encodeHlc } from "../time/hlc.ts";
import { conversationMarkdown } from "./markdown_export.ts";

const host = { nodeId: "A", nodeName: "desk", isLlmHost: true };

function message(id: string, type: "Question" | "Response", content: string, minute: number) {
  const stamp = encodeHlc({ wallMs: minute * 60_000, counter: 0, nodeId: "A" });
  return {
    id,
    conversationId: "c",
    content,
    timestamp: new Date(Date.UTC(2026, 2, 5, 9, minute)).toISOString(),
    sender: type === "Question" ? "alice" : "llama3.2",
    messageType: type,
    hostInfo: host,
    ...(type === "Response" ? { model: "llama3.2" } : {}),
    originNode: "A",
    hlc: stamp,
    createdHlc: stamp,
    complete: true,
  } satisfies ChatMessage;
}

function conversation(over: Partial<Conversation>): Conversation {
  return {
    id: "c",
    title: "Tides\nand **moon**",
    originNode: "A",
    originName: "desk",
    hostInfo: host,
    createdAt: "2026-03-05T09:00:00Z",
    updatedAt: "2026-03-05T09:05:00Z",
    shared: true,
    readOnly: false,
    messages: [],
    path: [],
    versions: {},
    thread: { parents: {}, selected: {}, settings: {} },
    ...over,
  };
}

Deno.test("conversationMarkdown() writes the title, then who wrote each message and when", () => {
  const q = message("q", "Question", "Why are there tides?", 0);
  const r = { ...message("r", "Response", "The **Moon**.", 1), stopped: true };
  const text = conversationMarkdown(
    conversation({ messages: [q, r], path: ["q", "r"] }),
  );
  assert.equal(
    text,
    "# Tides and **moon**\n\n_NeuroMesh conversation, started 2026-03-05 09:00 UTC._\n\n" +
      "### alice · 2026-03-05 09:00 UTC\n\nWhy are there tides?\n\n" +
      "### llama3.2 on desk · 2026-03-05 09:01 UTC\n\nThe **Moon**.\n\n_(stopped)_\n",
  );
});

Deno.test("conversationMarkdown() follows the shown versions and says which version each is", () => {
  const q = message("q", "Question", "Why are there tides?", 0);
  const r1 = message("r1", "Response", "First answer.", 1);
  const r2 = message("r2", "Response", "Second answer.", 2);
  const text = conversationMarkdown(conversation({
    readOnly: true,
    originName: "laptop",
    messages: [q, r1, r2],
    path: ["q", "r2"],
    versions: { r2: ["r1", "r2"] },
  }));
  assert.match(text, /_From laptop, started/);
  assert.match(
    text,
    /### llama3\.2 on desk · 2026-03-05 09:02 UTC · version 2 of 2\n\nSecond answer\./,
  );
  assert.doesNotMatch(text, /First answer/);
});
