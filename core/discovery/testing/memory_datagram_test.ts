import assert from "node:assert/strict";
import { MemoryDatagramHub } from "./memory_datagram.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

function listen(hub: MemoryDatagramHub, address: string, port = 5000) {
  const transport = hub.attach(address, port);
  const heard: string[] = [];
  transport.onMessage((data, from, fromPort) =>
    heard.push(`${new TextDecoder().decode(data)} from ${from}:${fromPort}`)
  );
  return { transport, heard };
}

Deno.test("MemoryDatagramHub delivers nothing until drain()", async () => {
  const hub = new MemoryDatagramHub();
  const a = listen(hub, "10.0.0.1");
  const b = listen(hub, "10.0.0.2");
  await a.transport.send(bytes("hi"), "10.0.0.2", 5000);
  assert.deepEqual(b.heard, []);
  assert.equal(hub.sent.length, 1);
  assert.equal(await hub.drain(), 1);
  assert.deepEqual(b.heard, ["hi from 10.0.0.1:5000"]);
});

Deno.test("MemoryDatagramHub broadcast reaches every member on the port, sender included", async () => {
  const hub = new MemoryDatagramHub(["10.0.0.255"]);
  const a = listen(hub, "10.0.0.1");
  const b = listen(hub, "10.0.0.2");
  const other = listen(hub, "10.0.0.3", 6000);
  await a.transport.send(bytes("all"), "10.0.0.255", 5000);
  await hub.drain();
  assert.deepEqual(a.heard, ["all from 10.0.0.1:5000"]);
  assert.deepEqual(b.heard, ["all from 10.0.0.1:5000"]);
  assert.deepEqual(other.heard, []);
});

Deno.test("MemoryDatagramHub drops packets from and to an unreachable member", async () => {
  const hub = new MemoryDatagramHub(["10.0.0.255"]);
  const a = listen(hub, "10.0.0.1");
  const b = listen(hub, "10.0.0.2");
  hub.setReachable("10.0.0.2", false);
  await a.transport.send(bytes("to b"), "10.0.0.2", 5000);
  await b.transport.send(bytes("from b"), "10.0.0.255", 5000);
  await hub.drain();
  assert.deepEqual([...a.heard, ...b.heard], []);
  hub.setReachable("10.0.0.2", true);
  await a.transport.send(bytes("again"), "10.0.0.2", 5000);
  await hub.drain();
  assert.deepEqual(b.heard, ["again from 10.0.0.1:5000"]);
});

Deno.test("MemoryDatagramHub inject() spoofs a sender", async () => {
  const hub = new MemoryDatagramHub();
  const a = listen(hub, "10.0.0.1");
  hub.inject(bytes("spoof"), "10.0.0.66", "10.0.0.1", 5000, 40000);
  await hub.drain();
  assert.deepEqual(a.heard, ["spoof from 10.0.0.66:40000"]);
});

Deno.test("MemoryDatagramHub refuses sends after close and stops delivering", async () => {
  const hub = new MemoryDatagramHub();
  const a = listen(hub, "10.0.0.1");
  const b = listen(hub, "10.0.0.2");
  await b.transport.close();
  await a.transport.send(bytes("late"), "10.0.0.2", 5000);
  await hub.drain();
  assert.deepEqual(b.heard, []);
  await assert.rejects(() => b.transport.send(bytes("x"), "10.0.0.1", 5000), /closed socket/);
});

Deno.test("MemoryDatagramHub drain() throws on an answer loop", async () => {
  const hub = new MemoryDatagramHub();
  const a = hub.attach("10.0.0.1", 5000);
  const b = hub.attach("10.0.0.2", 5000);
  a.onMessage((data) => void a.send(data, "10.0.0.2", 5000));
  b.onMessage((data) => void b.send(data, "10.0.0.1", 5000));
  await a.send(bytes("ping"), "10.0.0.2", 5000);
  await assert.rejects(() => hub.drain(20), /still busy after 20 rounds/);
});
