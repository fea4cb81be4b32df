import assert from "node:assert/strict";
import { ConversationStore } from "../store/store.ts";
import type { RecordValue } from "../sync/records.ts";
import { exportConversations } from "./legacy_export.ts";
import {
  importedConversationRecords,
  type LegacyConversation,
  legacyMessageIds,
} from "./legacy_files.ts";
import { type FileOutcome, importConversations, importReport } from "./legacy_import.ts";
import type { ChatMessage, ConversationHeader } from "../model/conversation.ts";
import { groupSummaries, toConversation, toSummary } from "./views.ts";

/** One machine's files of the original NeuroMesh (see testdata/make_original_files.ts). */
const ORIGINAL = new URL("./testdata/original", import.meta.url).pathname;
const FILES = [
  "conversations/local.json",
  "received/192.168.1.30/local.json",
  "received/192.168.1.40/local.json",
  "received/192.168.1.41/local.json",
  "received/192.168.1.45/local.json",
  "received/192.168.1.52/local.json",
];
const SELF = "SELFNODE";

/**
 * What the version before this one made of a file: a conversation with the id the file gave
 * (so every "local" merged into one), filed under `owner`, message ids from the content.
 */
function earlierVersionRecords(legacy: LegacyConversation, owner: string): RecordValue[] {
  const { records } = importedConversationRecords(legacy, { self: owner, file: "" });
  const ids = legacyMessageIds(legacy.id, legacy);
  const { importedFrom: _, ...header } = records[0].value as ConversationHeader;
  return [
    { type: "conversation", value: { ...header, id: legacy.id } },
    ...records.slice(1).map((r, i): RecordValue => ({
      type: "message",
      value: { ...(r.value as ChatMessage), id: ids[i], conversationId: legacy.id },
    })),
  ];
}

async function original(file: string): Promise<LegacyConversation> {
  return JSON.parse(await Deno.readTextFile(`${ORIGINAL}/${file}`));
}

async function withTemp(fn: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "neuromesh-import-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function withStore(fn: (store: ConversationStore) => Promise<void>, nodeId = SELF) {
  return async () => {
    const store = ConversationStore.openPath(":memory:", { nodeId });
    try {
      await fn(store);
    } finally {
      store.close();
    }
  };
}

const imported = (outcomes: FileOutcome[]) =>
  outcomes.map((o) =>
    o.kind === "skipped"
      ? [o.file, "skipped", o.reason]
      : [o.file, o.kind, o.from?.name ?? null, o.from?.ipAddress ?? null, o.messages, o.added]
  );

Deno.test(
  "importConversations() makes the original's files one conversation each: the owner's own, each received folder from its device",
  withStore(async (store) => {
    const result = await importConversations(store, ORIGINAL);
    assert.deepEqual(imported(result.outcomes), [
      ["conversations/local.json", "own", null, null, 320, 320],
      ["received/192.168.1.30/local.json", "received", "gpu-box", "192.168.1.30", 24, 24],
      ["received/192.168.1.40/local.json", "received", "bob-desktop", "192.168.1.40", 16, 16],
      ["received/192.168.1.41/local.json", "received", "山田-ノートPC", "192.168.1.41", 10, 10],
      // The same file under bob-desktop's next address: kept apart, never merged.
      ["received/192.168.1.45/local.json", "received", "bob-desktop", "192.168.1.40", 16, 16],
      // zoë's file left the address empty: the folder names it.
      ["received/192.168.1.52/local.json", "received", "zoë-macbook", "192.168.1.52", 6, 6],
    ]);
    assert.deepEqual([result.files, result.conversations, result.messages], [6, 6, 392]);
    assert.deepEqual(store.counts(), { conversations: 6, messages: 392, tombstones: 0 });

    const headers = store.summaries().map((s) => s.header);
    assert.ok(headers.every((h) => h.originNode === SELF), "all of it belongs to this node");
    assert.equal(new Set(headers.map((h) => h.id)).size, 6);
    for (const outcome of result.outcomes) {
      if (outcome.kind === "skipped") continue;
      const legacy = await original(outcome.file);
      const header = store.header(outcome.conversationId)!;
      assert.equal(header.importedFrom?.file, outcome.file);
      assert.equal(header.importedFrom?.id, "local");
      assert.deepEqual(
        store.messages(header.id).map((m) => [
          m.content,
          m.timestamp,
          m.sender,
          m.messageType,
          m.hostInfo.nodeName,
          m.hostInfo.ipAddress ?? "",
          m.hostInfo.isLlmHost,
          m.originNode,
        ]),
        legacy.messages.map((m) => [
          m.content,
          m.timestamp,
          m.sender,
          m.message_type,
          m.host_info.hostname,
          m.host_info.ip_address,
          m.host_info.is_llm_host,
          SELF,
        ]),
        `${outcome.file}: every message in file order, exact timestamps, senders and hosts`,
      );
    }

    // As the API lists them: the owner's history is theirs; each folder is its own device.
    const list = groupSummaries(store.summaries().map((s) => toSummary(s, SELF)));
    assert.deepEqual(list.local.map((s) => [s.title, s.messageCount, s.readOnly]), [
      ["What is the capital of France?", 320, false],
    ]);
    assert.deepEqual(
      list.received.map((g) => [g.peer.id, g.peer.name, g.conversations.map((c) => c.readOnly)])
        .sort(),
      [
        ["legacy-bob-desktop@192.168.1.40", "bob-desktop", [true]],
        ["legacy-bob-desktop@192.168.1.45", "bob-desktop", [true]],
        ["legacy-gpu-box@192.168.1.30", "gpu-box", [true]],
        ["legacy-zoë-macbook@192.168.1.52", "zoë-macbook", [true]],
        ["legacy-山田-ノートPC@192.168.1.41", "山田-ノートPC", [true]],
      ],
    );

    const again = await importConversations(store, ORIGINAL);
    assert.deepEqual([again.conversations, again.messages], [0, 0], "importing again adds nothing");
    assert.ok(again.outcomes.every((o) => o.kind !== "skipped" && o.added === 0));
    assert.deepEqual(store.counts(), { conversations: 6, messages: 392, tombstones: 0 });
  }),
);

Deno.test(
  "export writes the original's files back as they were read",
  withStore(async (store) => {
    await importConversations(store, ORIGINAL);
    await withTemp(async (out) => {
      await exportConversations(store, out, { id: SELF, name: "alice-laptop" });
      for (const file of FILES) {
        const exported = await Deno.readTextFile(`${out}/${file}`);
        // Same keys in the same order, same values: the original reads what it wrote.
        assert.equal(
          JSON.stringify(JSON.parse(exported)),
          JSON.stringify(await original(file)),
          file,
        );
      }
      const folders = [...Deno.readDirSync(`${out}/received`)].map((e) => e.name).sort();
      assert.deepEqual(folders, FILES.slice(1).map((f) => f.split("/")[1]));
      // And our export of it imports into this node as the same conversations.
      const again = await importConversations(store, out);
      assert.deepEqual([again.conversations, again.messages], [0, 0]);
    });
  }),
);

Deno.test(
  'importConversations() replaces what an earlier version made of the original\'s files (one merged "local")',
  withStore(async (store) => {
    // The earlier version filed every file under its id: all of them in conversation "local",
    // received ones under a made-up node per folder.
    for (const file of FILES) {
      const folder = file.split("/")[1];
      const owner = file.startsWith("received/") ? `legacy-${folder}` : SELF;
      store.commitLocal(earlierVersionRecords(await original(file), owner));
    }
    // The two copies of bob-desktop's file were even the same messages.
    assert.deepEqual(store.counts(), { conversations: 1, messages: 376, tombstones: 0 });

    const result = await importConversations(store, ORIGINAL);
    assert.deepEqual(result.replaced, [{ conversationId: "local", messages: 376, files: FILES }]);
    assert.deepEqual(store.counts(), { conversations: 6, messages: 392, tombstones: 1 });
    assert.equal(store.header("local"), undefined);
    assert.match(importReport(result, "DIR").lines.at(-2)!, /^replaced conversation local \(376/);
    const again = await importConversations(store, ORIGINAL);
    assert.deepEqual([again.conversations, again.messages, again.replaced], [0, 0, []]);
  }),
);

Deno.test(
  "importConversations() does not import again a file an earlier version imported into a conversation that went on",
  withStore(async (store) => {
    await withTemp(async (dir) => {
      await Deno.mkdir(`${dir}/conversations`);
      await Deno.copyFile(`${ORIGINAL}/${FILES[0]}`, `${dir}/${FILES[0]}`);
      const records = earlierVersionRecords(await original(FILES[0]), SELF);
      store.commitLocal(records);
      // The owner went on asking in it after that import.
      const last = records.at(-1)!.value as { id: string };
      store.commitLocal([{
        type: "message",
        value: { ...store.message(last.id)!, id: "later", content: "one more question" },
      }]);
      const result = await importConversations(store, dir);
      assert.deepEqual(imported(result.outcomes), [[
        FILES[0],
        "skipped",
        "its messages are all in conversation local already",
      ]]);
      assert.deepEqual(store.counts(), { conversations: 1, messages: 321, tombstones: 0 });
    });
  }),
);

Deno.test(
  "importConversations() names every file it skips and why; importReport() says what each file became",
  withStore(async (store) => {
    await withTemp(async (dir) => {
      await Deno.mkdir(`${dir}/conversations`, { recursive: true });
      await Deno.mkdir(`${dir}/received/192.168.1.41`, { recursive: true });
      await Deno.mkdir(`${dir}/received/192.168.1.99`, { recursive: true });
      await Deno.copyFile(`${ORIGINAL}/${FILES[3]}`, `${dir}/received/192.168.1.41/local.json`);
      await Deno.copyFile(`${ORIGINAL}/${FILES[3]}`, `${dir}/received/192.168.1.41/backup.json`);
      await Deno.writeTextFile(`${dir}/conversations/local.json`, "{ not json");
      await Deno.writeTextFile(`${dir}/received/192.168.1.99/local.json`, '{"id":"local"}');
      await Deno.writeTextFile(`${dir}/received/192.168.1.99/notes.txt`, "not a .json file");
      const result = await importConversations(store, dir);
      assert.deepEqual(result.outcomes.map((o) => [o.file, o.kind]), [
        ["conversations/local.json", "skipped"],
        ["received/192.168.1.41/backup.json", "received"],
        ["received/192.168.1.41/local.json", "skipped"],
        ["received/192.168.1.99/local.json", "skipped"],
      ]);
      assert.deepEqual(store.counts(), { conversations: 1, messages: 10, tombstones: 0 });
      const report = importReport(result, dir);
      assert.equal(report.problems.length, 2);
      assert.match(report.problems[0], /^skipped conversations\/local\.json: not readable JSON: /);
      assert.equal(
        report.problems[1],
        "skipped received/192.168.1.99/local.json: not a conversation file: messages: " +
          "Invalid input: expected array, received undefined",
      );
      const title = (await original(FILES[3])).messages[0].content;
      assert.deepEqual(report.lines, [
        `received/192.168.1.41/backup.json: received from 山田-ノートPC (192.168.1.41), ` +
        `${JSON.stringify(title)}, 10 messages (10 new)`,
        "skipped received/192.168.1.41/local.json: a copy of received/192.168.1.41/backup.json",
        `imported 1 conversations (10 new messages) from 2 files in ${dir}; 3 files skipped`,
      ]);
    });
  }),
);

Deno.test(
  "importConversations() of another node's export: its conversations become this node's, shown as received from it",
  async () => {
    const source = ConversationStore.openPath(":memory:", { nodeId: "EXPORTER" });
    const target = ConversationStore.openPath(":memory:", { nodeId: SELF });
    try {
      await importConversations(source, ORIGINAL);
      await withTemp(async (out) => {
        await exportConversations(source, out, { id: "EXPORTER", name: "old-laptop" });
        const result = await importConversations(target, out);
        assert.deepEqual([result.conversations, result.messages], [6, 392]);
        const list = groupSummaries(target.summaries().map((s) => toSummary(s, SELF)));
        assert.deepEqual(list.local, []);
        // The exporter's own history shows as received from it, the devices' as before.
        assert.deepEqual(
          list.received.map((g) => [g.peer.name, g.conversations.length]).sort(),
          [
            ["alice-laptop", 1],
            ["bob-desktop", 1],
            ["bob-desktop", 1],
            ["gpu-box", 1],
            ["zoë-macbook", 1],
            ["山田-ノートPC", 1],
          ],
        );
        for (const { header } of target.summaries()) {
          assert.equal(header.originNode, SELF);
          assert.ok(header.id.startsWith(`${SELF}-`));
          const copy = toConversation(header, target.messages(header.id), SELF);
          assert.ok(copy.messages.every((m) => m.originNode === SELF && m.hlc.endsWith(SELF)));
        }
        const again = await importConversations(target, out);
        assert.deepEqual([again.conversations, again.messages], [0, 0]);
        // Exported from here, the files still come out as the original wrote them.
        await withTemp(async (back) => {
          await exportConversations(target, back, { id: SELF, name: "new-laptop" });
          for (const file of FILES.slice(1)) {
            assert.deepEqual(
              JSON.parse(await Deno.readTextFile(`${back}/${file}`)),
              await original(file),
            );
          }
        });
      });
    } finally {
      source.close();
      target.close();
    }
  },
);

Deno.test("importConversations() refuses a folder that is no export", async () => {
  await withTemp(async (dir) => {
    const store = ConversationStore.openPath(":memory:", { nodeId: SELF });
    try {
      await assert.rejects(importConversations(store, dir), /has no conversations\/ or received\//);
    } finally {
      store.close();
    }
  });
});

Deno.test("a long history is committed in parts, with the event loop running between them", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const legacy = JSON.parse(await Deno.readTextFile(`${ORIGINAL}/conversations/local.json`));
    const message = legacy.messages[0];
    legacy.messages = Array.from({ length: 3_500 }, (_, i) => ({ ...message, content: `m${i}` }));
    await Deno.mkdir(`${dir}/conversations`);
    await Deno.writeTextFile(`${dir}/conversations/local.json`, JSON.stringify(legacy));
    const store = ConversationStore.openPath(":memory:", { nodeId: SELF });
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    const ticksAtCommit: number[] = [];
    const commit = store.commitLocal.bind(store);
    store.commitLocal = (values, options) => {
      ticksAtCommit.push(ticks);
      return commit(values, options);
    };
    try {
      const result = await importConversations(store, dir);
      assert.equal(result.messages, 3_500);
    } finally {
      clearInterval(timer);
      store.close();
    }
    assert.equal(ticksAtCommit.length, 4, "3,501 records in parts of 1,000");
    for (let i = 1; i < ticksAtCommit.length; i++) {
      assert.ok(ticksAtCommit[i] > ticksAtCommit[i - 1], `timers ran before part ${i + 1}`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
