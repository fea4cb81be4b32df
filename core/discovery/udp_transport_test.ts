import assert from "node:assert/strict";
import { decodeAnnouncement } from "./announcement.ts";
import { Discovery } from "./discovery.ts";
import { openUdpTransport, type UdpTransport } from "./udp_transport.ts";

// Loopback only: sockets bind to 127.0.0.x and send to 127.0.0.x, never to a real interface.

async function waitFor(condition: () => boolean, what: string, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

Deno.test("openUdpTransport() sends and receives datagrams on loopback", async () => {
  const a = await openUdpTransport({ port: 0, host: "127.0.0.1" });
  const b = await openUdpTransport({ port: 0, host: "127.0.0.1" });
  try {
    const received: Array<[string, string, number]> = [];
    b.onMessage((bytes, address, port) =>
      received.push([new TextDecoder().decode(bytes), address, port])
    );
    await a.send(new TextEncoder().encode("hello"), "127.0.0.1", b.port);
    await waitFor(() => received.length === 1, "the datagram");
    assert.deepEqual(received, [["hello", "127.0.0.1", a.port]]);
  } finally {
    await a.close();
    await b.close();
  }
});

Deno.test("openUdpTransport() rejects sends after close, and close is idempotent", async () => {
  const a = await openUdpTransport({ port: 0, host: "127.0.0.1" });
  await a.close();
  await a.close();
  await assert.rejects(() => a.send(new Uint8Array(1), "127.0.0.1", 9), /socket closed/);
});

Deno.test("openUdpTransport() reports a bind failure with the address", async () => {
  await assert.rejects(
    () => openUdpTransport({ port: 0, host: "192.0.2.1" }), // not an address of this machine
    /cannot bind UDP 192\.0\.2\.1:0/,
  );
});

/** Binds two loopback addresses on one port, as two hosts on a LAN share the discovery port. */
async function twoHosts(): Promise<[UdpTransport, UdpTransport]> {
  for (let attempt = 0;; attempt++) {
    const first = await openUdpTransport({ port: 0, host: "127.0.0.2" });
    try {
      return [first, await openUdpTransport({ port: first.port, host: "127.0.0.3" })];
    } catch (error) {
      await first.close();
      if (attempt >= 5) throw error;
    }
  }
}

Deno.test("Discovery over real UDP on loopback: find, answer, OFFLINE", async () => {
  const [socketA, socketB] = await twoHosts();
  const port = socketA.port;
  const common = { peerPort: 7878, httpPort: 8080, discoveryPort: port };
  const named = (name: string) => ({ settings: () => ({ name }) });
  const a = new Discovery(socketA, {
    ...common,
    ...named("a"),
    nodeId: "A",
    targets: ["127.0.0.3"],
  });
  const b = new Discovery(socketB, { ...common, ...named("b"), nodeId: "B", targets: [] });
  const lost: string[] = [];
  b.onNodeLost((entry, reason) => lost.push(`${entry.nodeId} ${reason}`));
  try {
    await b.start(); // listens, announces to nobody
    const started = Date.now();
    await a.start(); // announces to B; B answers A directly
    await waitFor(
      () => a.nodes().length === 1 && b.nodes().length === 1,
      "both to know each other",
    );
    assert.ok(Date.now() - started < 1000, "found well under a second");
    assert.equal(a.node("B")!.address, "127.0.0.3");
    assert.equal(b.node("A")!.address, "127.0.0.2");
    assert.equal(b.node("A")!.peerPort, 7878);
    await a.stop();
    await waitFor(() => lost.length === 1, "A's OFFLINE");
    assert.deepEqual(lost, ["A offline"]);
  } finally {
    await a.stop();
    await b.stop();
  }
});

Deno.test("Discovery over real UDP answers an original node's bare packet", async () => {
  const [socketA, original] = await twoHosts();
  const a = new Discovery(socketA, {
    nodeId: "A",
    settings: () => ({ name: "a" }),
    peerPort: 7878,
    httpPort: 8080,
    discoveryPort: socketA.port,
    targets: [],
  });
  const heard: Uint8Array[] = [];
  original.onMessage((bytes) => heard.push(bytes));
  try {
    await a.start();
    const bare =
      '{"message_type":"ONLINE","has_llm":true,"timestamp":"2025-04-19T10:12:04.929122Z"}';
    await original.send(new TextEncoder().encode(bare), "127.0.0.2", socketA.port);
    await waitFor(() => heard.length === 1, "A's answer");
    assert.equal(a.node("legacy:127.0.0.3")?.legacy, true);
    const answer = decodeAnnouncement(heard[0]);
    assert.equal(answer?.node_id, "A");
    assert.equal(answer?.reply, true);
  } finally {
    await a.stop();
    await original.close();
  }
});
