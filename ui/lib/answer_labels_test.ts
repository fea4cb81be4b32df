import assert from "node:assert/strict";
import { message } from "../api/testing/fixtures.ts";
import type { ChatMessage, FailoverNote } from "../api/types.ts";
import { failoverSentence, isServed, servedByText } from "./answer_labels.ts";

const beta = { nodeId: "b", nodeName: "node2", model: "llama3.2", isLlmHost: true };
const node3 = { nodeId: "c", nodeName: "node3", model: "llama3.2" };

Deno.test("failoverSentence() says why the answer left its host", () => {
  const served = message({ hostInfo: beta, model: "llama3.2" });
  const table: [string, FailoverNote, string][] = [
    [
      "a stall",
      { ...node3, reason: "stalled" },
      "node3 (llama3.2) stopped sending tokens — continued on node2 (llama3.2).",
    ],
    [
      "a lost host",
      { ...node3, reason: "died" },
      "node3 (llama3.2) was lost mid-answer — continued on node2 (llama3.2).",
    ],
    [
      "a busy host",
      { ...node3, reason: "busy" },
      "node3 (llama3.2) was busy — continued on node2 (llama3.2).",
    ],
    [
      "an error",
      { ...node3, reason: "error" },
      "node3 (llama3.2) failed — continued on node2 (llama3.2).",
    ],
    [
      "a record of an older version, without a reason",
      node3,
      "node3 (llama3.2) was lost mid-answer — continued on node2 (llama3.2).",
    ],
  ];
  for (const [what, from, expected] of table) {
    assert.equal(failoverSentence(served, from), expected, what);
  }
});

Deno.test("servedByText() names the serving host from the first token, never the asker by default", () => {
  const asker = { nodeId: "a", nodeName: "laptop", isLlmHost: false };
  const table: [string, Partial<ChatMessage>, boolean, string][] = [
    ["streaming, no host yet, Auto", { hostInfo: asker }, false, "waiting for a host…"],
    [
      "streaming, no host yet, a chosen model",
      { hostInfo: asker, model: "llama3.2" },
      false,
      "llama3.2 · waiting for a host…",
    ],
    [
      "the first chunk named the host",
      { hostInfo: beta, model: "llama3.2" },
      true,
      "node2 · llama3.2",
    ],
    [
      "failed before any host answered",
      { hostInfo: asker, model: "llama3.2", complete: true, error: "no host" },
      false,
      "no host answered",
    ],
    [
      "stopped before the first token",
      { hostInfo: asker, complete: true, stopped: true },
      false,
      "no host answered",
    ],
    [
      "failed mid-answer: the host that wrote it",
      { hostInfo: beta, content: "Half", complete: true, error: "lost" },
      true,
      "node2 · llama3.2",
    ],
    [
      "a finished answer of an imported file, without a model",
      { hostInfo: { nodeId: "x", nodeName: "old-pc", isLlmHost: true }, complete: true },
      true,
      "old-pc",
    ],
  ];
  for (const [what, overrides, served, expected] of table) {
    const value = message(overrides);
    assert.equal(isServed(value), served, what);
    assert.equal(servedByText(value), expected, what);
  }
});
