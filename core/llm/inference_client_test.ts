import assert from "node:assert/strict";
import { FakeClock } from "../time/clock.ts";
import { MemoryMesh } from "../peers/testing/memory_mesh.ts";
import { InferenceClient } from "./inference_client.ts";

Deno.test("InferenceClient asks for access again when the host's link is replaced", async () => {
  const mesh = new MemoryMesh();
  const client = mesh.node("A");
  const host = mesh.node("H");
  const clock = new FakeClock(); // never advanced: only the re-sent request can be answered
  let seen = 0;
  host.on("LREQ:", (from, request) => {
    // The first request went down a connection that a duplicate swap then closed.
    if (seen++ === 0) return;
    host.send(from.id, "LRES:", {
      requestId: request.requestId,
      granted: true,
      ttlMs: 60_000,
    } as never);
  });
  mesh.link("A", "H");
  const inference = new InferenceClient({ bus: client, clock });
  try {
    const answer = inference.requestAccess(host.self, "m");
    await new Promise((r) => setTimeout(r, 0));
    assert.equal(seen, 1);
    client.hub.linkUp(host.self); // the replacement connection is up
    const response = await answer;
    assert.equal(response.granted, true);
    assert.equal(seen, 2);
  } finally {
    inference.close();
  }
});
