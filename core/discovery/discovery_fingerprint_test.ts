import assert from "node:assert/strict";
import { FakeClock } from "../time/clock.ts";
import { createAnnouncement, encodeAnnouncement } from "./announcement.ts";
import { Discovery } from "./discovery.ts";
import { MemoryDatagramHub } from "./testing/memory_datagram.ts";

Deno.test("Discovery ignores an announcement whose node id is not the start of its fingerprint", async () => {
  const hub = new MemoryDatagramHub(["10.0.0.255"]);
  const clock = new FakeClock(Date.UTC(2025, 3, 19));
  const discovery = new Discovery(hub.attach("10.0.0.1", 5000), {
    nodeId: "SELF",
    settings: () => ({ name: "self" }),
    peerPort: 7878,
    httpPort: 8080,
    targets: ["10.0.0.255"],
    clock,
  });
  await discovery.start();
  const sender = hub.attach("10.0.0.2", 5000);
  const packet = (nodeId: string, fingerprint: string) =>
    encodeAnnouncement(createAnnouncement({
      type: "ONLINE",
      nodeId,
      name: nodeId,
      hasLlm: false,
      peerPort: 7878,
      httpPort: 8080,
      protocolVersion: 2,
      fingerprint,
      now: clock.now(),
    }));
  await sender.send(packet("GOODID", "GOODIDANDMORE"), "10.0.0.1", 5000);
  await sender.send(packet("MADEUP", "SOMETHINGELSE"), "10.0.0.1", 5000);
  await hub.drain();
  assert.deepEqual(discovery.nodes().map((n) => n.nodeId), ["GOODID"]);
  assert.equal(discovery.stats().malformed, 1);
  await discovery.stop();
  await sender.close();
});
