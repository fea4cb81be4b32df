import assert from "node:assert/strict";
import { memoryPrivateFile } from "../security/private_file.ts";
import { TrustStore } from "../security/trust_store.ts";
import { trustRoutes } from "./trust_routes.ts";

const ID = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

async function setup() {
  const trust = await TrustStore.open(memoryPrivateFile());
  const calls: string[] = [];
  const app = trustRoutes({
    trust,
    mode: () => "approve",
    meshKeyConfigured: false,
    plaintextLinks: false,
    onApproved: (id) => calls.push(`approved ${id}`),
    onBlocked: (id) => calls.push(`blocked ${id}`),
    rotateToken: () => Promise.resolve("new-token"),
    now: () => 7,
  });
  return { app, trust, calls };
}

Deno.test("trustRoutes approve lets a pending node in and asks to dial it", async () => {
  const { app, trust, calls } = await setup();
  trust.recordPending(ID, { name: "laptop", address: "10.0.0.2", at: 1 });
  const view = await (await app.request("/api/trust")).json();
  assert.equal(view.mode, "approve");
  assert.equal(view.nodes[0].status, "pending");
  assert.equal(view.nodes[0].shortId, "ABCDEFG-HIJKLMN");
  const res = await app.request(`/api/peers/${ID}/approve`, { method: "POST" });
  assert.deepEqual(await res.json(), { id: ID, status: "trusted" });
  assert.deepEqual(calls, [`approved ${ID}`]);
  await trust.flush();
});

Deno.test("trustRoutes reject forgets a pending node; block and unblock", async () => {
  const { app, trust, calls } = await setup();
  trust.recordPending(ID, { name: "laptop", address: "10.0.0.2", at: 1 });
  assert.equal((await app.request(`/api/peers/${ID}/reject`, { method: "POST" })).status, 200);
  assert.equal(trust.status(ID), null);
  assert.equal((await app.request(`/api/peers/${ID}/reject`, { method: "POST" })).status, 409);
  await app.request(`/api/peers/${ID}/block`, { method: "POST" });
  assert.equal(trust.status(ID), "blocked");
  assert.deepEqual(calls, [`blocked ${ID}`]);
  assert.equal((await app.request(`/api/peers/${ID}/unblock`, { method: "POST" })).status, 200);
  assert.equal(trust.status(ID), null);
  await trust.flush();
});

Deno.test("trustRoutes unblock restores a trusted node and dials it, not Add device?", async () => {
  const { app, trust, calls } = await setup();
  trust.recordPending(ID, { name: "laptop", address: "10.0.0.2", at: 1 });
  await app.request(`/api/peers/${ID}/approve`, { method: "POST" });
  await app.request(`/api/peers/${ID}/block`, { method: "POST" });
  const res = await app.request(`/api/peers/${ID}/unblock`, { method: "POST" });
  assert.deepEqual(await res.json(), { id: ID, status: "trusted" });
  assert.deepEqual(calls, [`approved ${ID}`, `blocked ${ID}`, `approved ${ID}`]);
  await trust.flush();
});

Deno.test("trustRoutes refuses a malformed id and unknown actions", async () => {
  const { app } = await setup();
  assert.equal((await app.request("/api/peers/nope/approve", { method: "POST" })).status, 400);
  assert.equal((await app.request(`/api/peers/${ID}/explode`, { method: "POST" })).status, 404);
});

Deno.test("trustRoutes rotates the API token", async () => {
  const { app } = await setup();
  const res = await app.request("/api/token/rotate", { method: "POST" });
  assert.deepEqual(await res.json(), { token: "new-token" });
});
