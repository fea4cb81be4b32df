import assert from "node:assert/strict";
import { shortId } from "../identity/identity.ts";
import type { LocalLlmStatus } from "../llm/llm_views.ts";
import type { TrustEntry } from "../security/trust_store.ts";
import { discoveryEntry, linkStatus } from "../status/testing/peer_fixtures.ts";
import { APP_VERSION } from "../version.ts";
import { PROTOCOL_VERSION } from "../wire/messages/link.ts";
import { statusView, type StatusViewDeps } from "./status_view.ts";

const SELF = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
const PEER = "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB";

const local: LocalLlmStatus = {
  nodeId: SELF,
  name: "kitchen",
  backend: "ollama http://127.0.0.1:11434",
  available: true,
  serving: true,
  models: ["tinyllama:1.1b"],
  inFlight: 1,
  capacity: 2,
  queued: 3,
  queueLimit: 32,
  tokensPerSecond: 0,
};

const link = linkStatus({ id: PEER, name: "office", rttMs: 2 });

const pending = (nodeId: string): TrustEntry => ({
  nodeId,
  status: "pending",
  origin: "auto",
  name: "x",
  address: "10.0.0.9",
  firstSeen: 0,
  lastSeen: 0,
});

function deps(patch: Partial<StatusViewDeps> = {}): StatusViewDeps {
  return {
    nodeId: SELF,
    startedAt: 1_000,
    now: () => 61_400,
    settings: () => ({ name: "kitchen", trustMode: "approve" }),
    httpPort: () => 8080,
    links: { peerPort: 7878, peers: () => [link] },
    discovery: null,
    llm: { hasLlm: true, localStatus: () => local, peerSummary: () => null },
    trust: { entries: () => [pending(PEER), pending(SELF)], alerts: () => [] },
    encryptedLinks: true,
    apiTokenRequired: () => false,
    ...patch,
  };
}

Deno.test("statusView() shows this node: identity, uptime, load and security at a glance", () => {
  assert.deepEqual(statusView(deps()).node(), {
    id: SELF,
    shortId: shortId(SELF),
    name: "kitchen",
    version: APP_VERSION,
    protocolVersion: PROTOCOL_VERSION,
    uptimeSec: 60,
    hasLlm: true,
    httpPort: 8080,
    peerPort: 7878,
    models: ["tinyllama:1.1b"],
    load: { inFlight: 1, capacity: 2, queued: 3 },
    security: {
      trustMode: "approve",
      encryptedLinks: true,
      pending: 2,
      alerts: 0,
      apiTokenRequired: false,
    },
  });
});

Deno.test("statusView() reads the live settings and port on every call", () => {
  let name = "kitchen";
  let port = 0;
  const view = statusView(deps({
    settings: () => ({ name, trustMode: "open" }),
    httpPort: () => port,
  }));
  assert.equal(view.node().name, "kitchen");
  name = "office";
  port = 41_000;
  assert.equal(view.node().name, "office");
  assert.equal(view.node().httpPort, 41_000);
});

Deno.test("statusView() merges links and discovery into the peer table", () => {
  const view = statusView(deps({
    discovery: {
      nodes: () => [
        discoveryEntry({ nodeId: "CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC", name: "garage" }),
      ],
    },
  }));
  const status = view.status();
  assert.deepEqual(status.peers.map((p) => [p.name, p.state]).sort(), [
    ["garage", "discovered"],
    ["office", "up"],
  ]);
  assert.deepEqual(status.node, view.node());
});
