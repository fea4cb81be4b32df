import assert from "node:assert/strict";
import { signal } from "@preact/signals";
import type { PeerStatus, TrustView } from "../api/types.ts";
import { fakeApi } from "../api/testing/fake_api.ts";
import { nodeStatus, peerStatus, trustNode, trustView } from "../api/testing/fixtures.ts";
import { createTrustModel } from "./trust.ts";

function security(pending: number, alerts = 0) {
  return {
    trustMode: "approve" as const,
    encryptedLinks: true,
    pending,
    alerts,
    apiTokenRequired: false,
  };
}

Deno.test("the trust lists are derived from the snapshot: pending, blocked elsewhere, alerts", async () => {
  const view = trustView({
    nodes: [
      trustNode("late", "pending", 5),
      trustNode("early", "pending", 1),
      trustNode("peer", "blocked", 2),
      trustNode("gone", "blocked", 3),
      trustNode("friend", "trusted", 4),
    ],
    alerts: [1, 2, 3, 4, 5, 6].map((at) => ({
      at,
      nodeId: "x",
      shortId: "x",
      address: "10.0.0.9",
      reason: "wrong mesh key",
    })),
  });
  const peers = signal<PeerStatus[]>([peerStatus({ id: "peer" })]);
  const trust = createTrustModel({ api: fakeApi({ trust: () => Promise.resolve(view) }), peers });
  await trust.loadTrust();
  assert.deepEqual(trust.pending.value.map((n) => n.nodeId), ["early", "late"]);
  assert.deepEqual(trust.blockedElsewhere.value.map((n) => n.nodeId), ["gone"]);
  assert.equal(trust.statusById.value.get("friend"), "trusted");
  assert.deepEqual(trust.recentAlerts.value.map((a) => a.at), [6, 5, 4, 3, 2]);
  peers.value = [];
  assert.deepEqual(trust.blockedElsewhere.value.map((n) => n.nodeId), ["peer", "gone"]);
});

Deno.test("loadTrust() says why the list could not be read and keeps the last one", async () => {
  let answer: Promise<TrustView> = Promise.resolve(trustView({ mode: "open" }));
  const trust = createTrustModel({ api: fakeApi({ trust: () => answer }), peers: signal([]) });
  await trust.loadTrust();
  answer = Promise.reject(new Error("HTTP 401"));
  await trust.loadTrust();
  assert.equal(trust.loadError.value, "HTTP 401");
  assert.equal(trust.snapshot.value?.mode, "open");
});

Deno.test("followSecurity() reads the list again only when the security figures change", () => {
  const api = fakeApi({ trust: () => Promise.resolve(trustView()) });
  const trust = createTrustModel({ api, peers: signal([]) });
  trust.followSecurity(nodeStatus({ security: security(0) }));
  trust.followSecurity(nodeStatus({ security: security(0), uptimeSec: 99 }));
  assert.equal(api.calls.length, 1);
  trust.followSecurity(nodeStatus({ security: security(1) }));
  trust.followSecurity(nodeStatus({ security: security(1, 1) }));
  assert.equal(api.calls.length, 3);
});

Deno.test("runPeerAction() marks the node busy, then reads the list again", async () => {
  const { promise, resolve } = Promise.withResolvers<{ id: string; status: string | null }>();
  const api = fakeApi({
    peerAction: () => promise,
    trust: () => Promise.resolve(trustView({ nodes: [trustNode("n1", "trusted")] })),
  });
  const trust = createTrustModel({ api, peers: signal([]) });
  const running = trust.runPeerAction("n1", "approve");
  assert.deepEqual(trust.peerActionBusy.value, { n1: "approve" });
  resolve({ id: "n1", status: "trusted" });
  assert.equal(await running, true);
  assert.deepEqual(trust.peerActionBusy.value, {});
  assert.deepEqual(api.calls.map((call) => call.method), ["peerAction", "trust"]);
  assert.equal(trust.statusById.value.get("n1"), "trusted");
});

Deno.test("runPeerAction() shows the node's refusal on that node until its next action", async () => {
  let refuse = true;
  const api = fakeApi({
    peerAction: () =>
      refuse
        ? Promise.reject(new Error("unknown node"))
        : Promise.resolve({ id: "n1", status: null }),
    trust: () => Promise.resolve(trustView()),
  });
  const trust = createTrustModel({ api, peers: signal([]) });
  assert.equal(await trust.runPeerAction("n1", "block"), false);
  assert.deepEqual(trust.peerActionError.value, { n1: "unknown node" });
  refuse = false;
  const next = trust.runPeerAction("n1", "block");
  assert.deepEqual(trust.peerActionError.value, {});
  assert.equal(await next, true);
});

Deno.test("rotateToken() shows the new token once; forgetShownToken() drops it", async () => {
  let fail = false;
  const api = fakeApi({
    rotateToken: () =>
      fail ? Promise.reject(new Error("refused")) : Promise.resolve({ token: "secret" }),
  });
  const trust = createTrustModel({ api, peers: signal([]) });
  const rotating = trust.rotateToken();
  assert.deepEqual(trust.tokenState.value, { kind: "rotating" });
  await rotating;
  assert.deepEqual(trust.tokenState.value, { kind: "shown", token: "secret" });
  trust.forgetShownToken();
  assert.deepEqual(trust.tokenState.value, { kind: "idle" });
  fail = true;
  await trust.rotateToken();
  assert.deepEqual(trust.tokenState.value, { kind: "error", message: "refused" });
});
