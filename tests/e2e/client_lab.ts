/**
 * The lab of the client end-to-end tests (embeddings, the `ollama`, `openai`, LangChain and AI SDK
 * clients, the command line): three real NeuroMesh processes in network namespaces.
 *
 *   node1  client        no LLM: every client talks to it, so every answer crosses the mesh
 *   node2  Ollama host   the Ollama test double: EMBED, CHAT (chat only), TOOLS (everything)
 *   node3  OpenAI host   the double's OpenAI-only API behind `--openai-url`: EMBED, OPENAI_TOOLS
 *
 * Each model but EMBED has one host, so an answer's host is known from its model alone.
 */
import { netnsUnavailableReason, requires } from "../support/ci.ts";
import { Lab, type LabHost, waitFor } from "./lab.ts";
import { DoubleControl, meshModels } from "./llm_lab.ts";

/** On both hosts: an embedding may come from either. */
export const EMBED = "nomic-embed-text:latest";
/** Only on node2: a chat model that can neither embed nor call tools. */
export const CHAT = "tinyllama:1.1b";
/** Only on node2: chat, tools, fill-in-the-middle (`insert`), structured outputs. */
export const TOOLS = "qwen3:8b";
/** Only on node3 (OpenAI-compatible host): chat and tools. */
export const OPENAI_TOOLS = "llama3.2:3b";

export const clientLabOptions = {
  ...requires(netnsUnavailableReason()),
  sanitizeResources: false,
  sanitizeOps: false,
};

export interface ClientLab {
  lab: Lab;
  /** node1, the node without an LLM. */
  client: LabHost;
  ollamaHost: LabHost;
  openaiHost: LabHost;
  /** node1's API (a loopback forwarder to its unix socket). */
  url: string;
  /** Node ids, stable for the lab's life. */
  ids: { client: string; ollamaHost: string; openaiHost: string };
  /** The control API of each host's double. */
  doubles: { ollamaHost: DoubleControl; openaiHost: DoubleControl };
}

export interface ClientLabOptions {
  /** Extra flags of node1, e.g. its API on the LAN with a token. */
  clientArgs?: string[];
}

async function startClientLab(lab: Lab, options: ClientLabOptions): Promise<ClientLab> {
  const [client, ollamaHost, openaiHost] = lab.hosts;
  const sockets = [ollamaHost, openaiHost].map((h) => `${lab.dir}/${h.name}-ollama.sock`);
  const ollamaModels = [{ name: EMBED }, { name: CHAT, capabilities: ["completion"] }, {
    name: TOOLS,
  }];
  await ollamaHost.startOllama([
    "--models",
    JSON.stringify(ollamaModels),
    "--control-socket",
    sockets[0],
  ]);
  await openaiHost.startOllama([
    "--models",
    `${EMBED},${OPENAI_TOOLS}`,
    "--api",
    "openai",
    "--control-socket",
    sockets[1],
  ]);
  // Generous: three nodes start at once on a machine that may be busy with other tests.
  const readyTimeoutMs = 60_000;
  await Promise.all([
    client.node.start({ readyTimeoutMs, args: options.clientArgs }),
    ollamaHost.node.start({ readyTimeoutMs }),
    openaiHost.node.start({ readyTimeoutMs, args: ["--openai-url", "http://127.0.0.1:11434"] }),
  ]);
  const [clientId, ollamaId, openaiId] = await Promise.all(
    lab.hosts.map(async (h) => (await h.node.status()).node.id),
  );
  await waitFor(
    "node1 to see every model with its hosts",
    async () => {
      const models = await meshModels(client.node);
      const hosts = (name: string) => models.find((m) => m.name === name)?.hosts.length ?? 0;
      return hosts(EMBED) === 2 && hosts(CHAT) === 1 && hosts(TOOLS) === 1 &&
        hosts(OPENAI_TOOLS) === 1;
    },
    30_000,
    100,
  );
  return {
    lab,
    client,
    ollamaHost,
    openaiHost,
    url: client.node.url,
    ids: { client: clientId, ollamaHost: ollamaId, openaiHost: openaiId },
    doubles: {
      ollamaHost: new DoubleControl(sockets[0]),
      openaiHost: new DoubleControl(sockets[1]),
    },
  };
}

/**
 * Runs `body` on a fresh client lab; prints every node's log tail when it fails and always tears
 * the lab down.
 */
export async function withClientLab(
  body: (mesh: ClientLab) => Promise<void>,
  options: ClientLabOptions = {},
): Promise<void> {
  const lab = await Lab.create(3);
  let mesh: ClientLab | null = null;
  try {
    mesh = await startClientLab(lab, options);
    await body(mesh);
  } catch (error) {
    console.error(await lab.logs());
    throw error;
  } finally {
    mesh?.doubles.ollamaHost.close();
    mesh?.doubles.openaiHost.close();
    await lab.close();
  }
}

/** POSTs JSON to node1 and returns the response (for what no client library sends). */
export async function postJson(
  mesh: ClientLab,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return await fetch(`${mesh.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
}
