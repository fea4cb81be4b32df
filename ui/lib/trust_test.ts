import assert from "node:assert/strict";
import type { NodeStatus, TrustAlert, TrustNode, TrustView } from "../api/types.ts";
import {
  blockedNodes,
  describeAlert,
  pendingNodes,
  recentAlerts,
  securityKey,
  trustStatusById,
} from "./trust.ts";

const ID_A = "A".repeat(32);
const ID_B = "B".repeat(32);
const ID_C = "C".repeat(32);

function entry(nodeId: string, status: TrustNode["status"], firstSeen: number): TrustNode {
  return {
    nodeId,
    shortId: `${nodeId.slice(0, 7)}-${nodeId.slice(7, 14)}`,
    status,
    origin: "auto",
    name: `node ${nodeId[0]}`,
    address: "10.0.0.2",
    firstSeen,
    lastSeen: firstSeen,
  };
}

function alert(reason: string, at = 1): TrustAlert {
  return { at, nodeId: ID_A, shortId: "AAAAAAA-AAAAAAA", address: "10.0.0.3", reason };
}

function view(nodes: TrustNode[], alerts: TrustAlert[] = []): TrustView {
  return { mode: "approve", meshKeyConfigured: false, plaintextLinks: false, nodes, alerts };
}

function nodeWith(security: NodeStatus["security"]): NodeStatus {
  return {
    id: ID_A,
    shortId: "AAAAAAA-AAAAAAA",
    name: "Desk",
    version: "1",
    protocolVersion: 1,
    uptimeSec: 1,
    hasLlm: false,
    httpPort: 8080,
    peerPort: 7878,
    models: [],
    load: { inFlight: 0, capacity: 1, queued: 0 },
    security,
  };
}

const security = {
  trustMode: "approve" as const,
  encryptedLinks: true,
  pending: 1,
  alerts: 0,
  apiTokenRequired: false,
};

Deno.test("securityKey() changes with the mode, pending and alert counts only", () => {
  const base = securityKey(nodeWith(security));
  assert.equal(securityKey(nodeWith({ ...security, apiTokenRequired: true })), base);
  assert.notEqual(securityKey(nodeWith({ ...security, pending: 0 })), base);
  assert.notEqual(securityKey(nodeWith({ ...security, alerts: 1 })), base);
  assert.notEqual(securityKey(nodeWith({ ...security, trustMode: "open" })), base);
});

Deno.test("securityKey() is null without a node or its security summary", () => {
  assert.equal(securityKey(null), null);
  assert.equal(securityKey(nodeWith(undefined)), null);
});

Deno.test("pendingNodes() and blockedNodes() pick their status, longest known first", () => {
  const v = view([
    entry(ID_C, "pending", 30),
    entry(ID_A, "trusted", 5),
    entry(ID_B, "pending", 10),
  ]);
  assert.deepEqual(pendingNodes(v).map((n) => n.nodeId), [ID_B, ID_C]);
  assert.deepEqual(blockedNodes(v), []);
  const blocked = view([entry(ID_B, "blocked", 9), entry(ID_A, "blocked", 2)]);
  assert.deepEqual(blockedNodes(blocked).map((n) => n.nodeId), [ID_A, ID_B]);
  assert.deepEqual(pendingNodes(null), []);
});

Deno.test("trustStatusById() maps each known node to its status", () => {
  const map = trustStatusById(view([entry(ID_A, "trusted", 1), entry(ID_B, "blocked", 2)]));
  assert.equal(map.get(ID_A), "trusted");
  assert.equal(map.get(ID_B), "blocked");
  assert.equal(map.get(ID_C), undefined);
});

Deno.test("describeAlert() says who claimed what, in plain words", () => {
  assert.equal(
    describeAlert(alert("claimed a node id that is not its key's")),
    "A device at 10.0.0.3 claimed to be AAAAAAA-AAAAAAA without its key",
  );
  assert.equal(
    describeAlert(alert("could not prove it holds its node id's key")),
    "A device at 10.0.0.3 claimed to be AAAAAAA-AAAAAAA without its key",
  );
  assert.equal(
    describeAlert(alert("wrong mesh key")),
    "A device at 10.0.0.3 (as AAAAAAA-AAAAAAA) gave a wrong mesh key",
  );
  assert.equal(
    describeAlert({ ...alert("another node (X) answered at its announced address"), address: "" }),
    "A device at an unknown address (as AAAAAAA-AAAAAAA): another node (X) answered at its " +
      "announced address",
  );
});

Deno.test("recentAlerts() lists the newest first, bounded", () => {
  const v = view([], [alert("a", 1), alert("b", 3), alert("c", 2)]);
  assert.deepEqual(recentAlerts(v, 2).map((a) => a.reason), ["b", "c"]);
  assert.deepEqual(recentAlerts(null), []);
});
