/** Test support: a peer link's status and a discovery entry, to patch per test. */
import type { NodeEntry } from "../../discovery/registry.ts";
import type { PeerStatus } from "../../peers/manager.ts";

export const linkStatus = (over: Partial<PeerStatus> = {}): PeerStatus => ({
  id: "AAAAAAAAAAAAAAAA",
  name: "desk",
  address: "10.0.0.2",
  peerPort: 7878,
  httpPort: 8080,
  state: "up",
  since: 0,
  lastSeen: 1_000,
  rttMs: 1.5,
  hasLlm: true,
  direction: "out",
  bytesIn: 0,
  bytesOut: 0,
  framesIn: 0,
  framesOut: 0,
  lastError: null,
  ...over,
});

export const discoveryEntry = (over: Partial<NodeEntry> = {}): NodeEntry => ({
  nodeId: "BBBBBBBBBBBBBBBB",
  name: "laptop",
  address: "10.0.0.3",
  peerPort: 7878,
  httpPort: 8080,
  hasLlm: false,
  legacy: false,
  protocolVersion: 1,
  fingerprint: null,
  instance: null,
  lastSeen: 2_000,
  ...over,
});
