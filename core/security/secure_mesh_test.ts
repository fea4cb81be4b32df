/** LinkManagers over TLS with LinkGuard, on 127.0.0.1 only, ports picked by the OS. */
import assert from "node:assert/strict";
import { memoryPrivateFile } from "./private_file.ts";
import { generateIdentity, type NodeIdentity } from "../identity/identity.ts";
import { silentLogger } from "../log/logger.ts";
import { CidrSet, DEFAULT_ALLOWED_CIDRS } from "../net/cidr.ts";
import type { PeerRef } from "../peers/bus.ts";
import { LinkManager } from "../peers/manager.ts";
import type { TrustSettings } from "./link_guard.ts";
import { createLinkSecurity, type LinkSecurity } from "./link_security.ts";
import { deriveMeshKey, type MeshKey } from "./mesh_key.ts";
import type { TrustMode } from "./trust_policy.ts";
import { TrustStore } from "./trust_store.ts";

const LOOPBACK = "127.0.0.1";

interface SecureNode {
  identity: NodeIdentity;
  manager: LinkManager;
  trust: TrustStore;
  security: LinkSecurity;
  settings: TrustSettings;
  ups: PeerRef[];
}

async function startSecureNode(
  name: string,
  options: { mode?: TrustMode; meshKey?: MeshKey; plaintext?: boolean } = {},
): Promise<SecureNode> {
  const identity = await generateIdentity(name);
  const trust = await TrustStore.open(memoryPrivateFile());
  const settings: TrustSettings = {
    mode: options.mode ?? "open",
    allowIds: new Set(),
    blockIds: new Set(),
  };
  const security = await createLinkSecurity({
    identity,
    trust,
    settings: () => settings,
    meshKey: () => options.meshKey ?? null,
    plaintext: options.plaintext,
  });
  const manager = new LinkManager({
    identity: { nodeId: identity.nodeId, name, publicKey: security.publicKey },
    appVersion: "test",
    peerHost: LOOPBACK,
    peerPort: 0,
    httpPort: 0,
    allowed: new CidrSet(DEFAULT_ALLOWED_CIDRS),
    logger: silentLogger,
    heartbeatMs: 100,
    linkTimeoutMs: 2_000,
    handshakeTimeoutMs: 2_000,
    connectTimeoutMs: 2_000,
    backoff: { baseMs: 50, capMs: 300 },
    ...security.linkOptions,
  });
  const node: SecureNode = { identity, manager, trust, security, settings, ups: [] };
  manager.onLinkUp((peer) => node.ups.push(peer));
  await manager.start();
  return node;
}

async function waitFor(what: string, condition: () => boolean, ms = 5_000) {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function closeAll(...nodes: SecureNode[]) {
  await Promise.all(nodes.map((node) => node.manager.close()));
  await Promise.all(nodes.map((node) => node.trust.flush()));
}

Deno.test("secure links: two nodes link over TLS and exchange messages", async () => {
  const a = await startSecureNode("a");
  const b = await startSecureNode("b");
  try {
    const got: string[] = [];
    b.manager.on("NOOP:", (from, message) => got.push(`${from.id}:${message.pad}`));
    a.manager.connect(LOOPBACK, b.manager.peerPort, { nodeId: b.identity.nodeId });
    await waitFor("link up", () => a.ups.length === 1 && b.ups.length === 1);
    a.manager.send(b.identity.nodeId, "NOOP:", { pad: "secret" });
    await waitFor("message", () => got.length === 1);
    assert.deepEqual(got, [`${a.identity.nodeId}:secret`]);
    assert.equal(b.trust.status(a.identity.nodeId), "trusted");
  } finally {
    await closeAll(a, b);
  }
});

Deno.test("secure links: a static peer's id is learned from its certificate", async () => {
  const a = await startSecureNode("a");
  const b = await startSecureNode("b");
  try {
    a.manager.connect(LOOPBACK, b.manager.peerPort, { static: true });
    await waitFor("link up", () => a.ups.length === 1);
    assert.equal(a.ups[0].id, b.identity.nodeId);
  } finally {
    await closeAll(a, b);
  }
});

Deno.test("secure links: a dial to an address held by another node is refused and alerted", async () => {
  const a = await startSecureNode("a");
  const b = await startSecureNode("b");
  const c = await startSecureNode("c");
  try {
    // Discovery (spoofed) says B is at C's address.
    a.manager.connect(LOOPBACK, c.manager.peerPort, { nodeId: b.identity.nodeId });
    await waitFor("alert", () => a.trust.alerts().length > 0);
    const row = a.manager.peers().find((p) => p.id === b.identity.nodeId);
    assert.match(row?.lastError ?? "", /not the expected/);
    assert.equal(a.ups.length, 0);
    assert.equal(c.ups.length, 0);
  } finally {
    await closeAll(a, b, c);
  }
});

Deno.test("secure links: approve mode links only after approval", async () => {
  const a = await startSecureNode("a", { mode: "approve" });
  const b = await startSecureNode("b");
  try {
    b.manager.connect(LOOPBACK, a.manager.peerPort, { static: true });
    await waitFor("pending", () => a.trust.status(b.identity.nodeId) === "pending");
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(a.ups.length, 0);
    assert.equal(b.ups.length, 0);
    a.trust.setStatus(b.identity.nodeId, "trusted", Date.now());
    b.manager.retryNow(a.identity.nodeId);
    await waitFor("link up after approval", () => a.ups.length === 1 && b.ups.length === 1);
  } finally {
    await closeAll(a, b);
  }
});

Deno.test("secure links: mesh-key mode admits the key holder, not the others", async () => {
  const key = await deriveMeshKey("kitchen table");
  const a = await startSecureNode("a", { mode: "mesh-key", meshKey: key });
  const b = await startSecureNode("b", { mode: "mesh-key", meshKey: key });
  const outsider = await startSecureNode("outsider");
  try {
    b.manager.connect(LOOPBACK, a.manager.peerPort, { static: true });
    outsider.manager.connect(LOOPBACK, a.manager.peerPort, { static: true });
    await waitFor("key holder up", () => a.ups.length === 1 && b.ups.length === 1);
    await waitFor(
      "outsider refused",
      () => (outsider.manager.peers()[0]?.lastError ?? "").includes("no mesh key proof"),
    );
    assert.equal(outsider.ups.length, 0);
    assert.deepEqual(a.ups.map((p) => p.id), [b.identity.nodeId]);
  } finally {
    await closeAll(a, b, outsider);
  }
});

Deno.test("secure links: a TLS node names a plaintext node's mistake", async () => {
  const a = await startSecureNode("a");
  const b = await startSecureNode("b", { plaintext: true });
  try {
    a.manager.connect(LOOPBACK, b.manager.peerPort, { static: true });
    await waitFor(
      "error",
      () => (a.manager.peers()[0]?.lastError ?? "").includes("insecure-plaintext-links"),
    );
  } finally {
    await closeAll(a, b);
  }
});

Deno.test("secure links: disconnect() closes a blocked node's link", async () => {
  const a = await startSecureNode("a");
  const b = await startSecureNode("b");
  try {
    a.manager.connect(LOOPBACK, b.manager.peerPort, { nodeId: b.identity.nodeId });
    await waitFor("link up", () => a.ups.length === 1);
    b.settings.blockIds = new Set([a.identity.nodeId]);
    assert.equal(b.manager.disconnect(a.identity.nodeId, "blocked"), true);
    await waitFor("down", () => b.manager.linkedPeers().length === 0);
    await new Promise((resolve) => setTimeout(resolve, 400)); // A redials: refused every time
    assert.equal(b.manager.linkedPeers().length, 0);
    assert.match(a.manager.peers()[0].lastError ?? "", /blocked/);
  } finally {
    await closeAll(a, b);
  }
});
