import assert from "node:assert/strict";
import { SseParser, subscribeEvents } from "./sse.ts";

Deno.test("SseParser splits events across chunk boundaries and drops comments", () => {
  const parser = new SseParser();
  assert.deepEqual(parser.feed("event: peers\ndata: [1,"), []);
  assert.deepEqual(parser.feed("2]\n\n: keep-alive\n\ndata: x\r\ndata: y\r\n\r\n"), [
    { event: "peers", data: "[1,2]" },
    { event: "message", data: "x\ny" },
  ]);
});

Deno.test("subscribeEvents() delivers a server's events with arrival times", async () => {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () =>
    new Response(
      new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('event: node\ndata: {"a":1}\n\n'));
        },
      }),
      { headers: { "content-type": "text/event-stream" } },
    ));
  const seen: { event: string; at: number }[] = [];
  let got!: () => void;
  const first = new Promise<void>((resolve) => got = resolve);
  const subscription = subscribeEvents(`http://127.0.0.1:${server.addr.port}`, (event, at) => {
    seen.push({ event: event.event, at });
    got();
  });
  try {
    await subscription.opened;
    await first;
    assert.equal(seen[0].event, "node");
    assert.ok(seen[0].at > 0);
  } finally {
    await subscription.close();
    await server.shutdown();
  }
});

Deno.test("subscribeEvents() reports a server that refuses the stream", async () => {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () => new Response("no", { status: 503 }),
  );
  const subscription = subscribeEvents(`http://127.0.0.1:${server.addr.port}`, () => {});
  try {
    await assert.rejects(subscription.opened, /api\/events: HTTP 503/);
  } finally {
    await subscription.close();
    await server.shutdown();
  }
});
