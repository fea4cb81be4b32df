/**
 * The lab of the LLM-sharing end-to-end tests (llm_test.ts): five real NeuroMesh processes in
 * network namespaces, two of them LLM hosts with the Ollama test double on their own
 * 127.0.0.1:11434, three without any LLM.
 *
 *   node1  A      client (no Ollama): the node the SDKs and curl talk to; API on its LAN
 *                 address too, with API_TOKEN
 *   node2  H1     host: SHARED_MODEL and SOLO_MODEL
 *   node3  H2     host: SHARED_MODEL
 *   node4  B      client that exhausts its rate limit on H1
 *   node5  C      client served by H1 while B is limited
 *
 * One lab serves every test of the file; `ready()` restarts the nodes an earlier test killed and
 * waits until A sees both hosts healthy again, so each test starts from the same state whatever
 * ran before it.
 */
import { type Forwarder, forwardTcpToUnix } from "../support/unix_forward.ts";
import { Lab, type LabHost, type LabNode, type NodeOptions, waitFor } from "./lab.ts";

/** Offered by both hosts: spread and failover. */
export const SHARED_MODEL = "meshllm:7b";
/** Offered by H1 only: an answer with it can only come from H1. */
export const SOLO_MODEL = "solo:1b";
/**
 * Node A serves its API on its LAN address too (`--http-host 0.0.0.0`), where other devices
 * need this token; the test itself reaches every node through its unix socket (no token).
 */
export const API_TOKEN = "e2e-token-0123456789abcdef";

/** Counters of the Ollama test double (subset of DoubleStats in tests/ollama_double/server.ts). */
export interface DoubleCounters {
  requests: number;
  activeStreams: number;
  completed: number;
  cancelled: number;
  failed: number;
  tokensSent: number;
  continued: number;
}

/** The double's control API (`/__double/...`) reached through its unix socket. */
export class DoubleControl {
  readonly #forwarder: Forwarder;

  constructor(socketPath: string) {
    this.#forwarder = forwardTcpToUnix(socketPath);
  }

  async stats(): Promise<DoubleCounters> {
    return await this.#call("GET", "stats") as DoubleCounters;
  }
  /** Zeroes the counters (activeStreams is kept: it is a gauge). */
  async reset(): Promise<void> {
    await this.#call("POST", "reset");
  }
  async settings(
    settings: { tokenLatencyMs?: number; tokens?: number; models?: (string | object)[] },
  ): Promise<void> {
    await this.#call("POST", "settings", settings);
  }
  /** Injects a fault (tests/ollama_double/faults.ts), e.g. `{ kind: "stall", afterTokens: 5 }`. */
  async setFault(fault: Record<string, unknown>): Promise<void> {
    await this.#call("POST", "fault", fault);
  }
  async clearFault(): Promise<void> {
    await this.#call("POST", "fault", { kind: "none" });
  }
  /** The last request bodies the double got on `path` (e.g. "/api/chat"), oldest first. */
  async requests(path: string): Promise<unknown[]> {
    return await this.#call("GET", `requests?path=${encodeURIComponent(path)}`) as unknown[];
  }
  close(): void {
    this.#forwarder.close();
  }

  async #call(method: string, route: string, body?: unknown): Promise<unknown> {
    const res = await fetch(`${this.#forwarder.url}/__double/${route}`, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`double ${method} ${route}: HTTP ${res.status} ${text}`);
    return JSON.parse(text);
  }
}

/** One entry of `/api/mesh/models`. */
export interface MeshModelView {
  name: string;
  hosts: { nodeId: string; name: string; local: boolean; healthy: boolean }[];
}

export async function meshModels(node: LabNode): Promise<MeshModelView[]> {
  const res = await fetch(`${node.url}/api/mesh/models`);
  if (!res.ok) throw new Error(`${node.host.name} /api/mesh/models: HTTP ${res.status}`);
  return (await res.json() as { models: MeshModelView[] }).models;
}

/** The healthy hosts `node` knows for `model` (node ids). */
export async function healthyHostsOf(node: LabNode, model: string): Promise<string[]> {
  const found = (await meshModels(node)).find((m) => m.name === model);
  return found?.hosts.filter((h) => h.healthy).map((h) => h.nodeId) ?? [];
}

export class LlmLab {
  readonly #doubles = new Map<LabHost, DoubleControl>();
  readonly #ids = new Map<LabHost, string>();

  private constructor(readonly lab: Lab) {}

  get a(): LabHost {
    return this.lab.host(1);
  }
  get h1(): LabHost {
    return this.lab.host(2);
  }
  get h2(): LabHost {
    return this.lab.host(3);
  }
  get b(): LabHost {
    return this.lab.host(4);
  }
  get c(): LabHost {
    return this.lab.host(5);
  }
  get llmHosts(): LabHost[] {
    return [this.h1, this.h2];
  }

  static async create(): Promise<LlmLab> {
    const lab = await Lab.create(5);
    const llm = new LlmLab(lab);
    try {
      const models = new Map([[llm.h1, [SHARED_MODEL, SOLO_MODEL]], [llm.h2, [SHARED_MODEL]]]);
      for (const [host, names] of models) {
        const socket = `${lab.dir}/${host.name}-ollama.sock`;
        await host.startOllama(["--models", names.join(","), "--control-socket", socket]);
        llm.#doubles.set(host, new DoubleControl(socket));
      }
      await Promise.all(lab.hosts.map((h) => h.node.start(llm.#startOptions(h))));
      for (const host of lab.hosts) llm.#ids.set(host, (await host.node.status()).node.id);
      await llm.ready();
    } catch (error) {
      await llm.close();
      throw error;
    }
    return llm;
  }

  #startOptions(host: LabHost): NodeOptions {
    return host === this.a ? { args: ["--http-host", "0.0.0.0", "--http-token", API_TOKEN] } : {};
  }

  /** The node id of a host (stable across restarts: it lives in the data dir). */
  id(host: LabHost): string {
    const id = this.#ids.get(host);
    if (!id) throw new Error(`no node id known for ${host.name}`);
    return id;
  }

  /** The lab host whose node has this id. */
  hostById(nodeId: string | null): LabHost {
    const host = this.lab.hosts.find((h) => this.#ids.get(h) === nodeId);
    if (!host) throw new Error(`no lab node has id ${JSON.stringify(nodeId)}`);
    return host;
  }

  double(host: LabHost): DoubleControl {
    const double = this.#doubles.get(host);
    if (!double) throw new Error(`${host.name} runs no Ollama double`);
    return double;
  }

  /**
   * Brings the lab back to its initial state: every node running, doubles without faults, with
   * `tokenLatencyMs`, idle, counters zeroed, and every client seeing both hosts healthy.
   */
  async ready(tokenLatencyMs = 0): Promise<void> {
    await Promise.all(
      this.lab.hosts.filter((h) => h.node.process === null)
        .map((h) => h.node.start(this.#startOptions(h))),
    );
    for (const double of this.#doubles.values()) {
      await double.clearFault();
      await double.settings({ tokenLatencyMs, tokens: 20 });
    }
    await waitFor(
      "the doubles idle",
      async () => {
        const stats = await Promise.all([...this.#doubles.values()].map((d) => d.stats()));
        return stats.every((s) => s.activeStreams === 0);
      },
      10_000,
      50,
    );
    for (const double of this.#doubles.values()) await double.reset();
    const hosts = this.llmHosts.map((h) => this.id(h));
    const clients = [this.a, this.b, this.c];
    // A host that failed is ranked last for 15 s on the node that saw it fail: wait it out.
    await waitFor(
      "every client sees both hosts healthy",
      async () => {
        for (const client of clients) {
          const shared = await healthyHostsOf(client.node, SHARED_MODEL);
          const solo = await healthyHostsOf(client.node, SOLO_MODEL);
          if (!hosts.every((id) => shared.includes(id)) || !solo.includes(hosts[0])) return false;
        }
        return true;
      },
      30_000,
      100,
    );
  }

  async logs(): Promise<string> {
    return await this.lab.logs();
  }

  async close(): Promise<void> {
    for (const double of this.#doubles.values()) double.close();
    await this.lab.close();
  }
}
