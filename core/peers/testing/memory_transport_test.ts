import assert from "node:assert/strict";
import { memoryConnectionPair, MemoryNetwork } from "./memory_transport.ts";

const bytes = (...values: number[]) => new Uint8Array(values);

Deno.test("memoryConnectionPair() delivers in order, then null after the writer closes", async () => {
  const [a, b] = memoryConnectionPair({ aAddress: "10.0.0.1", bAddress: "10.0.0.2" });
  assert.equal(a.remoteAddress, "10.0.0.2");
  assert.equal(b.remoteAddress, "10.0.0.1");
  await a.write(bytes(1));
  await a.write(bytes(2, 3));
  a.close();
  assert.deepEqual(await b.read(), bytes(1));
  assert.deepEqual(await b.read(), bytes(2, 3));
  assert.equal(await b.read(), null);
  await assert.rejects(a.write(bytes(4)), /write after close/);
});

Deno.test("memoryConnectionPair() holds a writer above the high water until the reader catches up", async () => {
  const [a, b] = memoryConnectionPair({ highWaterBytes: 2 });
  await a.write(bytes(1, 2));
  let done = false;
  const blocked = a.write(bytes(3)).then(() => done = true);
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.equal(done, false);
  assert.equal(a.unreadBytes, 3);
  await b.read();
  await blocked;
  assert.equal(a.unreadBytes, 1);
});

Deno.test("MemoryNetwork dials listeners by address and port, and refuses where none listens", async () => {
  const net = new MemoryNetwork();
  const accepted: string[] = [];
  const listener = await net.transport("10.0.0.1").listen("10.0.0.1", 0, (c) => {
    accepted.push(c.remoteAddress);
  });
  const dialer = net.transport("10.0.0.9");
  const connection = await dialer.dial("10.0.0.1", listener.port);
  assert.equal(connection.remoteAddress, "10.0.0.1");
  assert.deepEqual(accepted, ["10.0.0.9"]);
  listener.close();
  await assert.rejects(dialer.dial("10.0.0.1", listener.port), /nothing listens on 10\.0\.0\.1/);
});
