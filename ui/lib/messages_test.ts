import assert from "node:assert/strict";
import { message } from "../api/testing/fixtures.ts";
import {
  appendDelta,
  lastResponseId,
  markFailover,
  markServing,
  putMessage,
  reconcileMessages,
  upsertMessage,
} from "./messages.ts";

Deno.test("upsertMessage() appends a message it has not seen", () => {
  const list = upsertMessage([message({ id: "q" })], message({ id: "r" }));
  assert.deepEqual(list.map((m) => m.id), ["q", "r"]);
});

Deno.test("upsertMessage() ignores a stale partial copy of a finished answer", () => {
  const done = message({ content: "hello world", complete: true });
  const list = [done];
  assert.equal(upsertMessage(list, message({ content: "hello" })), list);
});

Deno.test("upsertMessage() ignores a shorter partial copy of a growing answer", () => {
  const list = [message({ content: "hello wor" })];
  assert.equal(upsertMessage(list, message({ content: "hel" }))[0].content, "hello wor");
  assert.equal(upsertMessage(list, message({ content: "hello world" }))[0].content, "hello world");
});

Deno.test("upsertMessage() keeps a known failover when the finished copy lacks it", () => {
  const from = { nodeId: "b", nodeName: "Beta", model: "m" };
  const list = [message({ content: "x", failover: from })];
  const updated = upsertMessage(list, message({ content: "xy", complete: true }));
  assert.deepEqual(updated[0].failover, from);
  assert.equal(updated[0].complete, true);
});

Deno.test("appendDelta() grows an unfinished answer and leaves finished ones alone", () => {
  const list = [message({ content: "ab" })];
  assert.equal(appendDelta(list, "m1", "c")[0].content, "abc");
  const finished = [message({ content: "ab", complete: true })];
  assert.equal(appendDelta(finished, "m1", "c"), finished);
  assert.equal(appendDelta(list, "unknown", "c"), list);
});

Deno.test("markFailover() keeps the lost host and moves hostInfo to the new one", () => {
  const from = { nodeId: "a", nodeName: "Alpha", model: "m1" };
  const to = { nodeId: "b", nodeName: "Beta", model: "m2" };
  const [updated] = markFailover([message({})], "m1", from, to);
  assert.deepEqual(updated.failover, from);
  assert.equal(updated.hostInfo.nodeName, "Beta");
  assert.equal(updated.model, "m2");
});

Deno.test("appendDelta() takes the running token count the node sends with the text", () => {
  const stats = { tokens: 3, durationMs: 100, tokensPerSec: 30 };
  const [grown] = appendDelta([message({ content: "ab" })], "m1", "c", stats);
  assert.deepEqual([grown.content, grown.stats], ["abc", stats]);
});

Deno.test("markServing() names the host and model of an unfinished answer only", () => {
  const host = { nodeId: "b", nodeName: "Beta", model: "m2" };
  const asker = { nodeId: "a", nodeName: "Alpha", isLlmHost: false };
  const [named] = markServing([message({ hostInfo: asker })], "m1", host);
  assert.deepEqual(named.hostInfo, { ...asker, ...host, isLlmHost: true });
  assert.equal(named.model, "m2");
  const finished = [message({ hostInfo: asker, complete: true })];
  assert.deepEqual(markServing(finished, "m1", host), finished);
});

Deno.test("markFailover() keeps why the answer left its host", () => {
  const from = { nodeId: "a", nodeName: "Alpha", model: "m1", reason: "stalled" as const };
  const to = { nodeId: "b", nodeName: "Beta", model: "m1" };
  const [updated] = markFailover([message({})], "m1", from, to);
  assert.deepEqual(updated.failover, from);
});

Deno.test("lastResponseId() finds the last answer, null when there is none", () => {
  const list = [
    message({ id: "q1", messageType: "Question" }),
    message({ id: "r1" }),
    message({ id: "q2", messageType: "Question" }),
  ];
  assert.equal(lastResponseId(list), "r1");
  assert.equal(lastResponseId([message({ id: "q", messageType: "Question" })]), null);
});

Deno.test("putMessage() replaces a stored copy even when it is further along", () => {
  const list = [message({ content: "old answer", complete: true })];
  assert.equal(putMessage(list, message({ content: "" }))[0].content, "");
  assert.equal(putMessage(list, message({ id: "m2" })).length, 2);
});

Deno.test("reconcileMessages() follows the server's list but keeps local copies that are further along", () => {
  const local = [
    message({ id: "q", messageType: "Question", complete: true, content: "hi" }),
    message({ id: "old", content: "replaced answer", complete: true }),
    message({ id: "new", content: "hello there" }),
  ];
  const server = [
    message({ id: "q", messageType: "Question", complete: true, content: "hi" }),
    message({ id: "new", content: "hello" }),
  ];
  const result = reconcileMessages(local, server);
  assert.deepEqual(result.map((m) => [m.id, m.content]), [["q", "hi"], ["new", "hello there"]]);
});
