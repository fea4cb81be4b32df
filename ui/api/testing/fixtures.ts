/** Values of the node's API types for model tests: sensible defaults, overridden per test. */
import type {
  ChatMessage,
  Conversation,
  ConversationSummary,
  MeshModel,
  NodeStatus,
  PeerStatus,
  Settings,
  TrustNode,
  TrustView,
} from "../types.ts";

export const SELF_ID = "self";

export function nodeStatus(overrides: Partial<NodeStatus> = {}): NodeStatus {
  return {
    id: SELF_ID,
    shortId: "self",
    name: "Me",
    version: "0.0.0",
    protocolVersion: 3,
    uptimeSec: 10,
    hasLlm: true,
    httpPort: 7878,
    peerPort: 7879,
    models: [],
    load: { inFlight: 0, capacity: 1, queued: 0 },
    ...overrides,
  };
}

export function peerStatus(overrides: Partial<PeerStatus> = {}): PeerStatus {
  return {
    id: "p1",
    shortId: "p1",
    name: "Laptop",
    address: "10.0.0.2:7878",
    state: "up",
    legacy: false,
    lastSeen: "2025-01-01T00:00:00Z",
    hasLlm: true,
    rttMs: 3,
    models: [],
    load: null,
    tokensPerSec: null,
    access: null,
    ...overrides,
  };
}

export function summary(overrides: Partial<ConversationSummary> = {}): ConversationSummary {
  return {
    id: "c1",
    title: "Untitled",
    originNode: SELF_ID,
    originName: "Me",
    createdAt: "2025-01-01T00:00:00Z",
    updatedAt: "2025-01-01T00:00:00Z",
    messageCount: 0,
    preview: "",
    shared: true,
    readOnly: false,
    ...overrides,
  };
}

export function message(overrides: Partial<ChatMessage> = {}): ChatMessage {
  return {
    id: "m1",
    conversationId: "c1",
    content: "",
    timestamp: "2025-01-01T00:00:00.000Z",
    sender: "node-a",
    messageType: "Response",
    hostInfo: { nodeId: "a", nodeName: "Alpha", isLlmHost: true },
    originNode: "a",
    hlc: "0000000000001-0000-a",
    createdHlc: "0000000000001-0000-a",
    complete: false,
    ...overrides,
  };
}

export function conversation(overrides: Partial<Conversation> = {}): Conversation {
  return {
    id: "c1",
    title: "Untitled",
    originNode: SELF_ID,
    originName: "Me",
    hostInfo: { nodeId: SELF_ID, nodeName: "Me", isLlmHost: true },
    createdAt: "2025-01-01T00:00:00Z",
    updatedAt: "2025-01-01T00:00:00Z",
    shared: true,
    readOnly: false,
    messages: [],
    path: [],
    versions: {},
    thread: { parents: {}, selected: {}, settings: {} },
    ...overrides,
  };
}

export function meshModel(name: string, hostIds: string[] = ["a"]): MeshModel {
  return {
    name,
    size: 1,
    hosts: hostIds.map((nodeId) => ({
      nodeId,
      name: nodeId,
      local: false,
      inFlight: 0,
      capacity: 1,
      queued: 0,
      healthy: true,
    })),
  };
}

export function settings(overrides: Partial<Settings> = {}): Settings {
  return {
    name: "Me",
    sharing: true,
    allowCidr: [],
    blockCidr: [],
    ollamaUrl: "http://127.0.0.1:11434",
    rateLimit: 60,
    capacity: 1,
    trustMode: "open",
    allowNodeId: [],
    blockNodeId: [],
    ...overrides,
  };
}

export function trustNode(
  nodeId: string,
  status: TrustNode["status"],
  firstSeen = 1,
): TrustNode {
  return {
    nodeId,
    shortId: nodeId.slice(0, 7),
    status,
    origin: "auto",
    name: `node ${nodeId}`,
    address: "10.0.0.2",
    firstSeen,
    lastSeen: firstSeen,
  };
}

export function trustView(overrides: Partial<TrustView> = {}): TrustView {
  return {
    mode: "approve",
    meshKeyConfigured: false,
    plaintextLinks: false,
    nodes: [],
    alerts: [],
    ...overrides,
  };
}
