/**
 * Composition root of a running node: config → identity → mesh (discovery, links) → LLM
 * sharing → conversations → HTTP. One AbortController ends it all on SIGINT/SIGTERM.
 */
import type { Invocation } from "./config/from_process.ts";
import type { Config } from "./config/schema.ts";
import { EventHub } from "./events/hub.ts";
import { createApp } from "./http/app.ts";
import { nodeRoutes, type StatusView } from "./http/node_routes.ts";
import { loadOrCreateIdentity, type NodeIdentity, shortId } from "./identity/identity.ts";
import { createLogger, type Logger } from "./log/logger.ts";
import { SettingsStore } from "./settings/settings.ts";
import { APP_VERSION } from "./version.ts";
import { PROTOCOL_VERSION } from "./wire/messages/link.ts";

export interface RunningNode {
  identity: NodeIdentity;
  httpPort: number;
  stop(): Promise<void>;
}

export async function startNode(
  config: Config,
  explicit: ReadonlySet<string>,
  logger: Logger,
): Promise<RunningNode> {
  const startedAt = Date.now();
  const identity = await loadOrCreateIdentity(config.dataDir, config.name);
  const settings = await SettingsStore.open(config.dataDir, {
    name: identity.name,
    sharing: config.sharing,
    allowCidr: config.allowCidr,
    blockCidr: config.blockCidr,
    ollamaUrl: config.ollamaUrl,
    rateLimit: config.rateLimit,
    capacity: config.capacity,
  }, new Set([...explicit].filter((k) => k !== "name" || config.name)) as never);
  const events = new EventHub();
  const shutdown = new AbortController();

  const status = (): StatusView => ({
    node: {
      id: identity.nodeId,
      shortId: shortId(identity.nodeId),
      name: settings.current.name,
      version: APP_VERSION,
      protocolVersion: PROTOCOL_VERSION,
      uptimeSec: Math.round((Date.now() - startedAt) / 1000),
      hasLlm: false,
      httpPort: httpPort,
      peerPort: config.peerPort,
      models: [],
      load: { inFlight: 0, capacity: settings.current.capacity, queued: 0 },
    },
    peers: [],
  });

  const app = createApp([nodeRoutes({ status, settings, events })], logger.child("http"));
  const servers: Deno.HttpServer[] = [];
  let httpPort = config.httpPort;
  await new Promise<void>((resolve, reject) => {
    try {
      servers.push(Deno.serve({
        hostname: config.httpHost,
        port: config.httpPort,
        signal: shutdown.signal,
        onListen: (addr) => {
          httpPort = (addr as Deno.NetAddr).port;
          resolve();
        },
      }, app.fetch));
    } catch (error) {
      reject(new Error(`cannot listen on ${config.httpHost}:${config.httpPort}: ${(error as Error).message}`));
    }
  });
  if (config.httpSocket) {
    await Deno.remove(config.httpSocket).catch(() => {});
    servers.push(Deno.serve({ path: config.httpSocket, signal: shutdown.signal, onListen: () => {} }, app.fetch));
  }
  logger.info("http listening", { url: `http://${config.httpHost}:${httpPort}`, socket: config.httpSocket });

  return {
    identity,
    get httpPort() {
      return httpPort;
    },
    async stop() {
      shutdown.abort();
      await Promise.all(servers.map((s) => s.finished.catch(() => {})));
    },
  };
}

/** Runs a node until SIGINT/SIGTERM; returns the exit code. */
export async function runNode(invocation: Invocation): Promise<number> {
  const { config } = invocation;
  const logger = createLogger(config.logLevel);
  const node = await startNode(config, invocation.explicit, logger);
  logger.info("node started", {
    id: node.identity.nodeId,
    name: node.identity.name,
    page: `http://${config.httpHost === "0.0.0.0" ? "localhost" : config.httpHost}:${node.httpPort}`,
  });
  const stopped = new Promise<void>((resolve) => {
    const onSignal = () => resolve();
    Deno.addSignalListener("SIGINT", onSignal);
    if (Deno.build.os !== "windows") Deno.addSignalListener("SIGTERM", onSignal);
  });
  await stopped;
  logger.info("shutting down");
  await node.stop();
  return 0;
}
