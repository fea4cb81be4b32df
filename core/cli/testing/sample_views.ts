/** Answers of /api/status, /api/tags, /api/ps and /api/trust as a node gives them (tests). */
import type { Ps, Status, Tags, Trust } from "../client.ts";

export const DESK_ID = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
export const LAPTOP_ID = "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB";
export const PI_ID = "CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC";

export const STATUS: Status = {
  node: {
    id: DESK_ID,
    shortId: "AAAAAAA-AAAAAAA",
    name: "desk",
    version: "0.1.0",
    protocolVersion: 3,
    uptimeSec: 3 * 3600 + 20 * 60,
    hasLlm: true,
    httpPort: 8080,
    peerPort: 7878,
    models: ["llama3.2:3b"],
    load: { inFlight: 1, capacity: 2, queued: 0 },
    security: {
      trustMode: "open",
      encryptedLinks: true,
      pending: 0,
      alerts: 1,
      apiTokenRequired: false,
    },
  },
  peers: [
    {
      id: LAPTOP_ID,
      shortId: "BBBBBBB-BBBBBBB",
      name: "laptop",
      address: "10.0.0.3:7878",
      state: "up",
      legacy: false,
      lastSeen: "2025-01-01T00:00:00.000Z",
      hasLlm: true,
      rttMs: 2.6,
      models: ["llama3.2:3b", "qwen2.5:0.5b"],
      load: { inFlight: 2, capacity: 2, queued: 3 },
      tokensPerSec: 40,
      access: null,
    },
    {
      id: PI_ID,
      shortId: "CCCCCCC-CCCCCCC",
      name: "pi",
      address: "10.0.0.4:7878",
      state: "backoff",
      legacy: false,
      lastSeen: null,
      hasLlm: false,
      rttMs: null,
      models: [],
      load: null,
      tokensPerSec: null,
      access: null,
    },
  ],
};

const details = (parameter_size: string) => ({
  parent_model: "",
  format: "gguf",
  family: "llama",
  families: ["llama"],
  parameter_size,
  quantization_level: "Q4_0",
});

export const TAGS: Tags = {
  models: [
    {
      name: "llama3.2:3b",
      model: "llama3.2:3b",
      size: 2_019_393_189,
      digest: "a80c4f17acd5",
      details: details("3.2B"),
      hosts: [{ id: DESK_ID, name: "desk", local: true }, {
        id: LAPTOP_ID,
        name: "laptop",
        local: false,
      }],
    },
    {
      name: "qwen2.5:0.5b",
      model: "qwen2.5:0.5b",
      size: 397_821_319,
      digest: "",
      details: details("494.03M"),
      hosts: [{ id: LAPTOP_ID, name: "laptop", local: false }],
    },
  ],
};

export const PS: Ps = {
  models: [{
    name: "llama3.2:3b",
    model: "llama3.2:3b",
    size: 2_019_393_189,
    expires_at: "2025-01-01T00:04:59.000Z",
    size_vram: 0,
    hosts: [{ id: DESK_ID, name: "desk", local: true }, {
      id: LAPTOP_ID,
      name: "laptop",
      local: false,
    }],
  }],
};

export const TRUST: Trust = {
  mode: "open",
  meshKeyConfigured: false,
  plaintextLinks: false,
  nodes: [
    { nodeId: LAPTOP_ID, status: "trusted", origin: "auto", name: "laptop", address: "10.0.0.3" },
    { nodeId: PI_ID, status: "trusted", origin: "user", name: "pi", address: "10.0.0.4" },
    {
      nodeId: "DDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDD",
      status: "pending",
      origin: "auto",
      name: "tablet",
    },
  ],
  alerts: [{
    at: Date.UTC(2025, 0, 1),
    nodeId: "EEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEE",
    address: "10.0.0.9",
    reason: "claimed an id without its key",
  }],
};
