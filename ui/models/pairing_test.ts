import assert from "node:assert/strict";
import type { PairingApi, PairingView } from "../api/pairing_client.ts";
import { createPairingModel } from "./pairing.ts";

/** A node with one address whose links a test can mark as opened by a phone. */
function fakeNode() {
  const view: PairingView = {
    reachable: true,
    addresses: ["http://10.0.0.5:8080"],
    entries: [],
    thisDevice: null,
  };
  const calls: string[] = [];
  const api: PairingApi = {
    pairing: () => Promise.resolve(structuredClone(view)),
    createPairing: (address) => {
      calls.push(`create ${address ?? "default"}`);
      view.entries.push({ id: "L1", state: "waiting", createdAt: 1, expiresAt: 600_000 });
      return Promise.resolve({
        id: "L1",
        url: "http://10.0.0.5:8080/pair/secret",
        expiresAt: 600_000,
      });
    },
    revokePairing: (id) => {
      calls.push(`revoke ${id}`);
      view.entries = view.entries.filter((e) => e.id !== id);
      return Promise.resolve();
    },
  };
  const timers: (() => void)[] = [];
  return { view, calls, api, timers };
}

Deno.test("createLink() shows the link until a phone opens it, then names the phone", async () => {
  const node = fakeNode();
  const model = createPairingModel({
    api: node.api,
    now: () => 1000,
    later: (run) => node.timers.push(run),
    cancel: () => {},
  });
  await model.createLink();
  assert.equal(model.shown.value?.url, "http://10.0.0.5:8080/pair/secret");
  assert.equal(model.view.value?.entries[0].state, "waiting");
  assert.equal(node.timers.length, 1, "watches the link");

  node.timers.shift()!();
  await new Promise((r) => setTimeout(r, 0));
  assert.ok(model.shown.value, "still waiting");
  node.view.entries = [{ id: "L1", state: "paired", createdAt: 1, device: "Android phone" }];
  node.timers.shift()!();
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(model.shown.value, null, "the used link is not shown any more");
  assert.equal(model.justPaired.value, "Android phone");
  assert.equal(node.timers.length, 0, "stops watching");
});

Deno.test("revoke() withdraws a device or the shown link and reads the list again", async () => {
  const node = fakeNode();
  const model = createPairingModel({ api: node.api, later: () => 0, cancel: () => {} });
  await model.createLink();
  await model.revoke("L1");
  assert.deepEqual(node.calls, ["create default", "revoke L1"]);
  assert.equal(model.shown.value, null);
  assert.deepEqual(model.view.value?.entries, []);
});

Deno.test("createLink() shows the node's refusal (loopback only) in place", async () => {
  const model = createPairingModel({
    api: {
      pairing: () =>
        Promise.resolve({ reachable: false, addresses: [], entries: [], thisDevice: null }),
      createPairing: () => Promise.reject(new Error("listens on 127.0.0.1 only")),
      revokePairing: () => Promise.resolve(),
    },
  });
  await model.createLink();
  assert.equal(model.actionError.value, "listens on 127.0.0.1 only");
  assert.equal(model.shown.value, null);
  assert.equal(model.creating.value, false);
});
