/**
 * Test fixture (imported by tests only): MeshLlm nodes over a MemoryMesh, each optionally
 * backed by an Ollama test double on 127.0.0.1.
 */
import { silentLogger } from "../../core/log/logger.ts";
import { MemoryMesh } from "../../core/peers/testing/memory_mesh.ts";
import {
  type OllamaDouble,
  type OllamaDoubleOptions,
  startOllamaDouble,
} from "../ollama_double/server.ts";
import type { ChatChunk, ChatRequest, ChatService } from "../../core/llm/chat.ts";
import { createMeshLlm, type MeshLlmTuning } from "../../core/llm/create_mesh_llm.ts";
import type { LlmSettings } from "../../core/llm/llm_settings.ts";
import type { MeshLlm } from "../../core/llm/mesh_llm.ts";
import { OllamaBackend } from "../../core/llm/ollama_backend.ts";

export interface NodeSpec {
  id: string;
  /** Options of this node's Ollama double; omitted: the node has no backend. */
  double?: OllamaDoubleOptions;
  config?: Partial<LlmSettings>;
}

export interface TestNode {
  id: string;
  llm: MeshLlm;
  /** The node's live settings; change them with TestMesh.updateSettings(). */
  settings: LlmSettings;
  double?: OllamaDouble;
}

export const FAST_TUNING: MeshLlmTuning = {
  capabilityIntervalMs: 5,
  changeIntervalMs: 5,
  flushMs: 0,
};

export const DEFAULT_SETTINGS: Omit<LlmSettings, "name"> = {
  serveLlm: true,
  allowCidr: [],
  blockCidr: [],
  rateLimit: 100,
  capacity: 2,
  queueSize: 32,
};

export class TestMesh implements AsyncDisposable {
  readonly mesh = new MemoryMesh();
  readonly nodes = new Map<string, TestNode>();

  static async create(specs: NodeSpec[], tuning: MeshLlmTuning = FAST_TUNING): Promise<TestMesh> {
    const fixture = new TestMesh();
    try {
      for (const spec of specs) {
        const double = spec.double ? await startOllamaDouble(spec.double) : undefined;
        const settings = { name: `node-${spec.id}`, ...DEFAULT_SETTINGS, ...spec.config };
        const node: TestNode = { id: spec.id, double, settings, llm: undefined as never };
        const llm = node.llm = createMeshLlm({
          nodeId: spec.id,
          settings: () => node.settings,
          bus: fixture.mesh.node(spec.id, `node-${spec.id}`),
          backend: double ? new OllamaBackend({ url: double.url }) : null,
          logger: silentLogger,
          tuning,
        });
        fixture.nodes.set(spec.id, node);
        await llm.start();
      }
      fixture.mesh.linkAll();
      await fixture.settled();
    } catch (error) {
      await fixture.close();
      throw error;
    }
    return fixture;
  }

  node(id: string): TestNode {
    const node = this.nodes.get(id);
    if (!node) throw new Error(`no test node ${id}`);
    return node;
  }

  /** Changes a node's settings as the user would: the node applies them at once. */
  updateSettings(id: string, patch: Partial<LlmSettings>): void {
    const node = this.node(id);
    node.settings = { ...node.settings, ...patch };
    node.llm.applySettings();
  }

  /** Waits until every node knows every linked host's models. */
  async settled(timeoutMs = 2_000): Promise<void> {
    await waitUntil(
      () => {
        for (const node of this.nodes.values()) {
          for (const peer of this.mesh.peersOf(node.id)) {
            const other = this.nodes.get(peer.id)!;
            if (!other.llm.hasLlm) continue;
            const known = node.llm.hostStatus().find((h) => h.nodeId === peer.id);
            if (!known?.capability?.models.length) return false;
          }
        }
        return true;
      },
      timeoutMs,
      "hosts to learn each other's capabilities",
    );
  }

  async close(): Promise<void> {
    for (const node of this.nodes.values()) node.llm.close();
    for (const node of this.nodes.values()) await node.double?.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/** Polls `condition` every 5 ms; rejects naming `what` after `timeoutMs`. */
export async function waitUntil(
  condition: () => boolean,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Runs a chat to the end; returns the text and every chunk. */
export async function collect(
  service: ChatService,
  request: ChatRequest,
  signal?: AbortSignal,
): Promise<{ text: string; chunks: ChatChunk[] }> {
  const chunks: ChatChunk[] = [];
  for await (const chunk of service.chat(request, signal)) chunks.push(chunk);
  return { text: chunks.map((c) => c.content).join(""), chunks };
}
