/** LinkGuard on real Links joined by memory pipes, with real keys. */
import assert from "node:assert/strict";
import { memoryPrivateFile } from "./private_file.ts";
import { generateIdentity, type NodeIdentity } from "../identity/identity.ts";
import { FakeClock } from "../time/clock.ts";
import { Link } from "../peers/link.ts";
import type { LinkDown } from "../peers/link_options.ts";
import { type MemoryConnection, memoryConnectionPair } from "../peers/testing/memory_transport.ts";
import { PROTOCOL_VERSION } from "../wire/messages/link.ts";
import { LinkGuard, type TrustSettings } from "./link_guard.ts";
import { deriveMeshKey, type MeshKey } from "./mesh_key.ts";
import type { TrustMode } from "./trust_policy.ts";
import { TrustStore } from "./trust_store.ts";

interface Side {
  identity: NodeIdentity;
  trust: TrustStore;
  guard: LinkGuard;
  settings: TrustSettings;
}

async function side(
  name: string,
  mode: TrustMode = "open",
  meshKey: MeshKey | null = null,
): Promise<Side> {
  const identity = await generateIdentity(name);
  const trust = await TrustStore.open(memoryPrivateFile());
  const settings: TrustSettings = { mode, allowIds: new Set(), blockIds: new Set() };
  const guard = new LinkGuard({
    identity,
    trust,
    settings: () => settings,
    meshKey: () => meshKey,
    now: () => 1_000,
  });
  return { identity, trust, guard, settings };
}

interface Probe {
  link: Link;
  ups: number;
  downs: LinkDown[];
}

/** `claim` lets a side send a HELO with someone else's id and key (an impostor). */
function startLink(
  connection: MemoryConnection,
  clock: FakeClock,
  s: Side,
  direction: "in" | "out",
  claim?: NodeIdentity,
): Probe {
  const shown = claim ?? s.identity;
  const probe: Probe = { ups: 0, downs: [], link: null as unknown as Link };
  probe.link = new Link({
    connection,
    direction,
    hello: {
      nodeId: shown.nodeId,
      name: shown.name,
      protocolVersion: PROTOCOL_VERSION,
      appVersion: "test",
      peerPort: 7878,
      httpPort: 0,
      hasLlm: false,
      publicKey: shown.publicKeyRaw.toBase64(),
    },
    verifyHello: s.guard.verifyHello,
    authenticator: s.guard.authenticator,
    clock,
    handlers: { onUp: () => probe.ups++, onDown: (_l, down) => probe.downs.push(down) },
  });
  probe.link.start();
  return probe;
}

async function waitSettled(...probes: Probe[]) {
  for (let i = 0; i < 200; i++) {
    if (probes.every((p) => p.ups > 0 || p.downs.length > 0)) break;
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

async function connect(a: Side, b: Side, claimAs?: NodeIdentity) {
  const clock = new FakeClock();
  const [ca, cb] = memoryConnectionPair();
  const left = startLink(ca, clock, a, "out", claimAs);
  const right = startLink(cb, clock, b, "in");
  await waitSettled(left, right);
  const close = async () => {
    left.link.close("test over");
    right.link.close("test over");
    await new Promise((resolve) => setTimeout(resolve, 5));
    clock.advance(2_000);
    await Promise.all([left.link.closed, right.link.closed]);
  };
  return { left, right, close };
}

Deno.test("LinkGuard in open mode links two nodes and remembers each (first use)", async () => {
  const a = await side("a");
  const b = await side("b");
  const { left, right, close } = await connect(a, b);
  assert.equal(left.ups, 1);
  assert.equal(right.ups, 1);
  assert.equal(a.trust.status(b.identity.nodeId), "trusted");
  assert.equal(b.trust.get(a.identity.nodeId)?.name, "a");
  await close();
});

Deno.test("LinkGuard refuses a node claiming another's id and key without the private key", async () => {
  const victim = await generateIdentity("victim");
  const impostor = await side("impostor");
  const b = await side("b");
  const { left, right, close } = await connect(impostor, b, victim);
  assert.equal(right.ups, 0);
  assert.equal(left.ups, 0);
  assert.equal(right.downs[0].reason, "identity proof failed");
  assert.equal(b.trust.status(victim.nodeId), null);
  assert.equal(b.trust.alerts()[0].nodeId, victim.nodeId);
  await close();
});

Deno.test("LinkGuard refuses a node claiming an id that is not its key's hash", async () => {
  const impostor = await side("impostor");
  const b = await side("b");
  const clock = new FakeClock();
  const [ca, cb] = memoryConnectionPair();
  const right = startLink(cb, clock, b, "in");
  // The impostor's own key, another id.
  const fake = { ...impostor.identity, nodeId: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" };
  const left = startLink(ca, clock, impostor, "out", fake as NodeIdentity);
  await waitSettled(left, right);
  assert.equal(right.ups, 0);
  assert.equal(right.downs[0].reason, "node id does not match its public key");
  assert.match(b.trust.alerts()[0].reason, /not its key's/);
  left.link.close("x");
  await new Promise((resolve) => setTimeout(resolve, 5));
  clock.advance(2_000);
  await Promise.all([left.link.closed, right.link.closed]);
});

Deno.test("LinkGuard in mesh-key mode lets in the key holder and refuses the others", async () => {
  const key = await deriveMeshKey("our secret");
  const a = await side("a", "mesh-key", key);
  const b = await side("b", "mesh-key", key);
  const good = await connect(a, b);
  assert.equal(good.right.ups, 1);
  await good.close();

  const outsider = await side("outsider");
  const noKey = await connect(outsider, b);
  assert.equal(noKey.right.ups, 0);
  assert.equal(noKey.left.ups, 0, "the outsider must not see the link up either");
  assert.equal(noKey.right.downs[0].reason, "no mesh key proof");
  await noKey.close();

  const guesser = await side("guesser", "mesh-key", await deriveMeshKey("a guess"));
  const wrong = await connect(guesser, b);
  assert.equal(wrong.right.downs[0].reason, "wrong mesh key");
  assert.ok(b.trust.alerts().some((alert) => alert.reason === "wrong mesh key"));
  await wrong.close();
});

Deno.test("LinkGuard in approve mode keeps a new node pending until the user approves", async () => {
  const a = await side("a", "approve");
  const b = await side("b");
  const first = await connect(b, a);
  assert.equal(first.right.ups, 0);
  assert.equal(first.left.ups, 0);
  assert.equal(first.right.downs[0].reason, "waiting for approval");
  assert.equal(first.left.downs[0].wasUp, false);
  assert.equal(a.trust.status(b.identity.nodeId), "pending");
  await first.close();

  a.trust.setStatus(b.identity.nodeId, "trusted", 2_000);
  const second = await connect(b, a);
  assert.equal(second.right.ups, 1);
  assert.equal(second.left.ups, 1);
  await second.close();
});

Deno.test("LinkGuard refuses a blocked id before proving anything to it", async () => {
  const a = await side("a");
  const b = await side("b");
  b.settings.blockIds = new Set([a.identity.nodeId]);
  const { left, right, close } = await connect(a, b);
  assert.equal(right.downs[0].reason, "node id is blocked");
  assert.equal(left.ups, 0);
  await close();
});

Deno.test("LinkGuard.stillTrusted() follows blocks and mode changes", async () => {
  const key = await deriveMeshKey("k");
  const a = await side("a", "mesh-key", key);
  const b = await side("b", "mesh-key", key);
  const { close } = await connect(a, b);
  const id = a.identity.nodeId;
  assert.equal(b.guard.stillTrusted(id), true);
  b.guard.forgetMeshKeyProofs();
  assert.equal(b.guard.stillTrusted(id), false);
  b.settings.mode = "open";
  assert.equal(b.guard.stillTrusted(id), true);
  b.trust.setStatus(id, "blocked", 5);
  assert.equal(b.guard.stillTrusted(id), false);
  await close();
});

Deno.test("LinkGuard refuses a HELO id other than the node whose certificate was pinned", async () => {
  const a = await side("a");
  const link = {
    nonce: "n",
    connection: { remoteAddress: "10.0.0.1", verifiedNodeId: "SOMEONEELSE" },
  };
  const hello = {
    nodeId: a.identity.nodeId,
    name: "a",
    protocolVersion: PROTOCOL_VERSION,
    appVersion: "t",
    peerPort: 1,
    httpPort: 0,
    hasLlm: false,
    nonce: "m",
    publicKey: a.identity.publicKeyRaw.toBase64(),
  };
  assert.equal(
    await a.guard.verifyHello(hello, link),
    "node id does not match the TLS certificate",
  );
  assert.equal(
    await a.guard.verifyHello({ ...hello, publicKey: undefined }, link),
    "peer sent no valid public key (a NeuroMesh too old to authenticate?)",
  );
});
