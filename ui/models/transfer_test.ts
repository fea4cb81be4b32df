import assert from "node:assert/strict";
import type { UploadedFile, UploadResult } from "../api/archive.ts";
import { ApiError } from "../api/client.ts";
import { createTransferModel, importSummary, type PickedFile } from "./transfer.ts";

const result = (over: Partial<UploadResult> = {}): UploadResult => ({
  files: 2,
  conversations: 2,
  messages: 5,
  outcomes: [],
  replaced: [],
  ignored: [],
  ...over,
});

const picked = (path: string, content: string | Uint8Array): PickedFile => ({
  path,
  text: () => Promise.resolve(content as string),
  bytes: () => Promise.resolve(content as Uint8Array),
});

Deno.test("importSummary() says what came in, what was not read and what was left out", () => {
  assert.equal(
    importSummary(result()),
    "Imported 2 conversations (5 new messages) from 2 files.",
  );
  assert.equal(
    importSummary(result({
      conversations: 0,
      messages: 0,
      files: 1,
      ignored: ["notes.txt"],
      outcomes: [{
        file: "conversations/x.json",
        kind: "skipped",
        reason: "not readable JSON",
        problem: true,
      }],
    })),
    "Nothing new: 1 file already imported. Not read: conversations/x.json (not readable JSON). " +
      "Left out (not conversation files): notes.txt.",
  );
});

Deno.test("importFiles() sends JSON as text and a ZIP as base64, then reloads the list", async () => {
  const sent: UploadedFile[][] = [];
  let reloads = 0;
  const model = createTransferModel({
    api: {
      importFiles: (files) => {
        sent.push(files);
        return Promise.resolve(result());
      },
    },
    reload: () => Promise.resolve(void reloads++),
  });
  await model.importFiles([
    picked("backup/conversations/local.json", '{"id":"local"}'),
    picked("all.zip", new Uint8Array([80, 75, 5, 6])),
  ]);
  assert.deepEqual(sent, [[
    { path: "backup/conversations/local.json", text: '{"id":"local"}' },
    { path: "all.zip", base64: btoa("PK\u0005\u0006") },
  ]]);
  assert.equal(reloads, 1);
  assert.deepEqual(model.report.value, {
    ok: true,
    text: "Imported 2 conversations (5 new messages) from 2 files.",
  });
  assert.equal(model.importing.value, false);
});

Deno.test("importFiles() shows the node's refusal", async () => {
  const model = createTransferModel({
    api: {
      importFiles: () => Promise.reject(new ApiError(400, "no conversation file in the upload")),
    },
    reload: () => Promise.resolve(),
  });
  await model.importFiles([picked("notes.txt", "x")]);
  assert.deepEqual(model.report.value, {
    ok: false,
    text: "Import failed: no conversation file in the upload",
  });
});
