import assert from "node:assert/strict";
import { EventQueue } from "./event_queue.ts";

Deno.test("EventQueue yields what was pushed before and after the reader started, then ends on close", async () => {
  const queue = new EventQueue<number>();
  queue.push(1);
  const read = (async () => {
    const seen: number[] = [];
    for await (const n of queue) seen.push(n);
    return seen;
  })();
  queue.push(2);
  await Promise.resolve();
  queue.push(3);
  queue.close();
  queue.push(4);
  assert.deepEqual(await read, [1, 2, 3]);
});

Deno.test("EventQueue drops events once the reader has left", async () => {
  const queue = new EventQueue<number>();
  queue.push(1);
  queue.push(2);
  for await (const _ of queue) break;
  queue.push(3);
  queue.close();
  const rest: number[] = [];
  for await (const n of queue) rest.push(n);
  assert.deepEqual(rest, []);
});
