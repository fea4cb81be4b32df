import assert from "node:assert/strict";
import { BodyTooLarge, countingStream, limitFor } from "./body_limit.ts";

const limits = { maxBodyBytes: 10, maxChatBodyBytes: 100 };

Deno.test("limitFor() gives chat routes the larger limit and names each setting", () => {
  for (
    const path of [
      "/api/chat",
      "/api/generate",
      "/api/embed",
      "/v1/chat/completions",
      "/api/conversations/abc/messages",
      "/api/conversations/import",
    ]
  ) {
    assert.deepEqual(
      limitFor(path, limits),
      { bytes: 100, setting: "--max-chat-body-bytes" },
      path,
    );
  }
  for (
    const path of [
      "/api/settings",
      "/api/conversations",
      "/api/conversations/abc",
      "/api/peers/X/approve",
      "/api/chats",
    ]
  ) {
    assert.deepEqual(limitFor(path, limits), { bytes: 10, setting: "--max-body-bytes" }, path);
  }
});

function pipeChunks(sizes: number[], limit: number) {
  let overflowed = false;
  let pulled = 0;
  const source = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pulled === sizes.length) return controller.close();
      controller.enqueue(new Uint8Array(sizes[pulled++]));
    },
  });
  const read = new Response(source.pipeThrough(countingStream(limit, () => (overflowed = true))))
    .arrayBuffer();
  return { read, overflowed: () => overflowed, pulled: () => pulled };
}

Deno.test("countingStream() passes a body up to the limit", async () => {
  const run = pipeChunks([4, 4, 2], 10);
  assert.equal((await run.read).byteLength, 10);
  assert.equal(run.overflowed(), false);
});

Deno.test("countingStream() fails the read at the first byte over the limit and stops pulling", async () => {
  const run = pipeChunks([4, 4, 4, 4, 4, 4, 4, 4], 10);
  await assert.rejects(
    run.read,
    (error: Error) => error instanceof BodyTooLarge && error.limit === 10,
  );
  assert.equal(run.overflowed(), true);
  assert.ok(run.pulled() < 8, `pulled ${run.pulled()} chunks`);
});
