import assert from "node:assert/strict";
import { FakeClock } from "../time/clock.ts";
import { MemoryMesh } from "../peers/testing/memory_mesh.ts";
import type { LlmCapability } from "../wire/messages/llm.ts";
import { CapabilityAnnouncer } from "./capability_announcer.ts";

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
const cap = (inFlight: number): LlmCapability => ({
  available: true,
  serving: true,
  models: [{ name: "m:1b", size: 1 }],
  inFlight,
  capacity: 2,
  queued: 0,
  queueLimit: 4,
  tokensPerSecond: 0,
});

function setup() {
  const mesh = new MemoryMesh();
  const host = mesh.node("host");
  const peer = mesh.node("peer");
  const received: number[] = [];
  peer.on("LLMC:", (_from, capability) => received.push(capability.inFlight));
  const clock = new FakeClock();
  let current = cap(0);
  const announcer = new CapabilityAnnouncer(host, clock, () => current, 100);
  return { mesh, clock, received, announcer, set: (c: LlmCapability) => (current = c) };
}

Deno.test("CapabilityAnnouncer sends the capability to a peer as its link comes up", async () => {
  const { mesh, received, announcer } = setup();
  mesh.link("host", "peer");
  await settle();
  assert.deepEqual(received, [0]);
  announcer.close();
});

Deno.test("CapabilityAnnouncer coalesces bursts to one broadcast per interval and skips repeats", async () => {
  const { mesh, clock, received, announcer, set } = setup();
  mesh.link("host", "peer");
  await settle();
  set(cap(1));
  announcer.changed();
  for (let i = 2; i <= 5; i++) {
    set(cap(i));
    announcer.changed();
  }
  await settle();
  assert.deepEqual(received, [0, 1]);
  clock.advance(100);
  await settle();
  assert.deepEqual(received, [0, 1, 5]);
  announcer.changed();
  clock.advance(200);
  await settle();
  assert.deepEqual(received, [0, 1, 5], "an unchanged capability is not sent again");
  announcer.close();
  assert.equal(clock.pendingTimers, 0);
});
