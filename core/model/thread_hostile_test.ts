/**
 * A thread record as a malicious (trusted) peer could write it for its own conversation: the
 * schema bounds what is kept, and the shown branch is computed in one pass whatever the links
 * say (cycles, self-links, forward links, missing messages, selections elsewhere, deep and wide
 * trees). Authority (owner-only, signed) is tested in core/sync/sync_versions_test.ts.
 */
import assert from "node:assert/strict";
import { shownBranch, START } from "./branches.ts";
import { ConversationThread, MAX_SYSTEM_PROMPT_CHARS, MAX_THREAD_LINKS } from "./conversation.ts";

const OWNER = "A".repeat(32);
const thread = (fields: Record<string, unknown>) => ({
  conversationId: `${OWNER}-c1`,
  originNode: OWNER,
  hlc: "000000000000001-000000-" + OWNER,
  parents: {},
  selected: {},
  settings: {},
  ...fields,
});

Deno.test("a thread's settings and links out of bounds are refused by the schema", () => {
  const bad: [string, Record<string, unknown>][] = [
    ["a megabyte prompt", { settings: { systemPrompt: "x".repeat(1 << 20) } }],
    ["a prompt one over", { settings: { systemPrompt: "x".repeat(MAX_SYSTEM_PROMPT_CHARS + 1) } }],
    ["a negative temperature", { settings: { temperature: -1 } }],
    ["a huge temperature", { settings: { temperature: 1e308 } }],
    ["a NaN temperature", { settings: { temperature: NaN } }],
    ["an infinite temperature", { settings: { temperature: Infinity } }],
    ["a temperature as text", { settings: { temperature: "0.5" } }],
    ["a fractional context", { settings: { contextLength: 4096.5 } }],
    ["a huge context", { settings: { contextLength: 2 ** 40 } }],
    [
      "too many links",
      {
        parents: Object.fromEntries(
          Array.from({ length: MAX_THREAD_LINKS + 1 }, (_, i) => [`m${i}`, START]),
        ),
      },
    ],
    ["a long key", { selected: { ["k".repeat(129)]: "m1" } }],
    ["an empty selection", { selected: { [START]: "" } }],
  ];
  const valid = ConversationThread.safeParse(thread({}));
  assert.ok(valid.success, JSON.stringify(valid.error?.issues));
  for (const [what, fields] of bad) {
    assert.equal(ConversationThread.safeParse(thread(fields)).success, false, what);
  }
});

Deno.test("links that loop, point ahead, at themselves or at nothing still give one finite branch", () => {
  const messages = Array.from({ length: 6 }, (_, i) => ({ id: `m${i}` }));
  const { path } = shownBranch(messages, {
    // m0 after m5 (ahead), m1 after itself, m2 after a missing message, m3 ↔ m4 in a cycle.
    parents: { m0: "m5", m1: "m1", m2: "gone", m3: "m4", m4: "m3", ["__proto__"]: "m0" },
    selected: { [START]: "m3", m0: "m5", ["__proto__"]: "m1" },
  });
  assert.deepEqual(path.map((m) => m.id), ["m0", "m1", "m2", "m3", "m4", "m5"]);
});

Deno.test("a deep tree (20,000 messages in a chain) and a wide one (20,000 versions) are shown in one pass", () => {
  const many = Array.from({ length: 20_000 }, (_, i) => ({ id: `m${i}` }));
  const deep = shownBranch(many, { parents: {}, selected: {} });
  assert.equal(deep.path.length, many.length);
  const wide = shownBranch(many, {
    parents: Object.fromEntries(many.slice(0, MAX_THREAD_LINKS).map((m) => [m.id, START])),
    selected: { [START]: "m0" },
  });
  // The first 10,000 are versions at the start; m0 is shown, then m1 … nothing follows m0.
  assert.equal(wide.path[0].id, "m0");
  assert.equal(wide.versions.m0.length, MAX_THREAD_LINKS);
});
