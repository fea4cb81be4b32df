/**
 * Shapes of the node's HTTP API as the page sees them (same origin).
 * Plain types: the server validates with zod, the page checks only what it relies on.
 */
export type Load = { inFlight: number; capacity: number; queued: number };

export type NodeStatus = {
  id: string;
  shortId: string;
  name: string;
  version: string;
  uptimeSec: number;
  hasLlm: boolean;
  httpPort: number;
  peerPort: number;
  models: string[];
  load: Load;
};

export type PeerState = "up" | "connecting" | "backoff" | "lost" | "discovered";

export type PeerStatus = {
  id: string;
  shortId: string;
  name: string;
  address: string;
  state: PeerState;
  legacy: boolean;
  lastSeen: string | null;
  hasLlm: boolean;
  rttMs: number | null;
  models: string[];
  load: Load | null;
  tokensPerSec: number | null;
  access: { requests: number; granted: number; refused: number; limited: boolean } | null;
};

export type Status = { node: NodeStatus; peers: PeerStatus[] };

export type ModelHost = {
  nodeId: string;
  name: string;
  local: boolean;
  inFlight: number;
  capacity: number;
  queued?: number;
  /** False while the host recently failed; the router avoids it. */
  healthy?: boolean;
};

export type MeshModel = {
  name: string;
  family?: string;
  parameterSize?: string;
  quantization?: string;
  size?: number;
  hosts: ModelHost[];
};

export type Settings = {
  name: string;
  sharing: boolean;
  allowCidr: string[];
  blockCidr: string[];
  ollamaUrl: string;
  rateLimit: number;
  capacity: number;
};

export type ConversationSummary = {
  id: string;
  title: string;
  originNode: string;
  originName: string;
  createdAt: string;
  updatedAt: string;
  messageCount: number;
  preview: string;
  shared: boolean;
  readOnly: boolean;
};

export type ConversationList = {
  local: ConversationSummary[];
  received: { peer: { id: string; name: string }; conversations: ConversationSummary[] }[];
};

export type HostInfo = { nodeId: string; nodeName: string; model?: string; isLlmHost: boolean };

export type ServedBy = { nodeId: string; nodeName: string; model: string };

export type ChatMessage = {
  id: string;
  conversationId: string;
  content: string;
  timestamp: string;
  sender: string;
  messageType: "Question" | "Response";
  hostInfo: HostInfo;
  model?: string;
  originNode: string;
  complete: boolean;
  stopped?: boolean;
  stats?: { tokens: number; durationMs: number; tokensPerSec: number };
  failover?: ServedBy;
};

export type Conversation = {
  id: string;
  title: string;
  originNode: string;
  hostInfo?: HostInfo;
  createdAt: string;
  updatedAt: string;
  shared: boolean;
  readOnly?: boolean;
  messages: ChatMessage[];
};

export type StreamErrorKind = "no_host" | "rate_limited" | "busy" | "upstream" | "bad_request";

/** One line of the NDJSON answer stream of POST …/messages and …/regenerate. */
export type StreamEvent =
  | { type: "question"; message: ChatMessage }
  | { type: "response"; message: ChatMessage }
  | { type: "delta"; messageId: string; content: string }
  | { type: "failover"; messageId: string; from: ServedBy; to: ServedBy }
  | { type: "done"; message: ChatMessage }
  | { type: "error"; messageId?: string; error: string; kind: StreamErrorKind };
